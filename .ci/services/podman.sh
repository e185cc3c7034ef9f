# Podman: containers for trial phases (src/executors/container, test image built from a
# local static busybox, since no image registry is reachable).
# shellcheck shell=bash
# With CI=true the container tests fail (never skip) when Podman cannot run a container here.
# Outside CI it can be sourced by hand (as root): source .ci/services/podman.sh
if ! declare -F apt_install >/dev/null; then
  apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
fi
if ! command -v podman >/dev/null 2>&1 || [ ! -x /usr/bin/busybox ]; then
  # podman's recommended helpers named explicitly: apt_install leaves recommends out
  apt_install podman busybox-static catatonit fuse-overlayfs slirp4netns uidmap containernetworking-plugins
fi
if podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null 2>&1; then
  echo "podman $(podman --version | awk '{print $3}') runs containers ($(podman info --format '{{.Store.GraphDriverName}}') storage)"
else
  echo "podman is installed but does not work here: $(podman info 2>&1 | tail -1)" >&2
fi
export AUTOLAB_TEST_PODMAN=1
