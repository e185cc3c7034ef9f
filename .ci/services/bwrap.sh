# bubblewrap: the sandbox of trial code (src/executors/local/sandbox-*.ts, test/hostile).
# shellcheck shell=bash
# With CI=true the sandbox tests fail (never skip) when bwrap cannot build a sandbox here.
# Outside CI it can be sourced by hand (as root): source .ci/services/bwrap.sh
if ! declare -F apt_install >/dev/null; then
  apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
fi
if ! command -v bwrap >/dev/null 2>&1; then
  apt_install bubblewrap
fi
if bwrap --die-with-parent --unshare-user-try --unshare-pid --unshare-net --cap-drop ALL \
     --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp -- /bin/sh -c 'exit 0'; then
  echo "bwrap $(bwrap --version 2>/dev/null | awk '{print $2}') builds sandboxes"
else
  echo "bwrap is installed but cannot build a sandbox here (user namespaces restricted?); see docs/security.md" >&2
fi
export AUTOLAB_TEST_BWRAP=1
