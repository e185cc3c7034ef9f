# Headless Chromium (Debian's package), for the dashboard's browser tests
# (test/e2e/dashboard-browser.test.ts drives it with playwright-core; in CI a missing
# Chromium fails them). Fonts so that screenshots have readable text.
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium fonts-dejavu-core
fi
export AUTOLAB_TEST_CHROMIUM=/usr/bin/chromium
