# Python with numpy and scikit-learn, for examples/digits-speedrun and its test.
if ! /usr/bin/python3 -c 'import numpy, sklearn' >/dev/null 2>&1; then
  apt_install python3-numpy python3-sklearn
fi
