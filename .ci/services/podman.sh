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
# A machine without CAP_SYS_RESOURCE cannot raise the open-files and process limits that
# Podman asks for by default (1048576), and crun refuses a hybrid cgroup v1/v2 layout:
# probe a container, and if it fails, configure runc with limits this machine can grant.
podman_probe() { podman run --rm --network none autolab-ci-probe:1 /bin/sh -c true >/dev/null 2>&1; }
if command -v podman >/dev/null 2>&1 && ! podman image exists autolab-ci-probe:1 2>/dev/null; then
  probe_root=$(mktemp -d)
  mkdir -p "$probe_root/bin" && cp /usr/bin/busybox "$probe_root/bin/" && ln -s busybox "$probe_root/bin/sh"
  tar -C "$probe_root" -c . | podman import - autolab-ci-probe:1 >/dev/null 2>&1 || true
  rm -rf "$probe_root"
fi
if command -v podman >/dev/null 2>&1 && ! podman_probe && { [ ! -e /etc/containers/containers.conf ] || grep -q 'autolab-ci' /etc/containers/containers.conf; }; then
  command -v runc >/dev/null 2>&1 || apt_install runc
  files=$(ulimit -Hn)
  for procs in "$(ulimit -Hu)" 65536 32768 16384 4096; do
    printf '# written by autolab-ci (.ci/services/podman.sh): limits this machine can grant\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\n' \
      "$files" "$files" "$procs" "$procs" > /etc/containers/containers.conf
    if podman_probe; then echo "podman: runc with nofile=$files nproc=$procs (the defaults cannot run here)"; break; fi
  done
fi
if podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null 2>&1; then
  echo "podman $(podman --version | awk '{print $3}') runs containers ($(podman info --format '{{.Store.GraphDriverName}}') storage)"
else
  echo "podman is installed but does not work here: $(podman info 2>&1 | tail -1)" >&2
fi
export AUTOLAB_TEST_PODMAN=1
