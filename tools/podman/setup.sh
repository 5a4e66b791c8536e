#!/usr/bin/env bash
# Makes podman usable on the development and CI machines (no Docker engine, no registry), idempotently:
#   1. installs podman, runc and debootstrap from Debian packages when one is missing (needs root and apt-get);
#   2. writes a containers.conf with the two settings these machines need and prints `export CONTAINERS_CONF=...`;
#   3. builds the stand-in JRE base image (tools/images/stand-in-base.sh) unless it exists (about 50 s once).
# Usage: eval "$(tools/podman/setup.sh)"
# Everything it prints on stdout is meant for eval; progress and errors go to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DUMPSINK_CONTAINER_CACHE:-/var/tmp/dumpsink-containers}
mkdir -p "$cache"

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "podman setup: installing podman, runc and debootstrap (Debian packages)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap) \
    >"$cache/apt.log" 2>&1 || { echo "podman setup: apt-get install failed, see $cache/apt.log" >&2; exit 1; }
fi

conf=$cache/containers.conf
cat > "$conf" <<'CONF'
[containers]
# These machines have no CAP_SYS_RESOURCE: the runtime cannot apply podman's default rlimits
# ("setrlimit RLIMIT_NOFILE: Operation not permitted").
default_ulimits = []
[engine]
# crun refuses the cgroup v1 + unified ("hybrid") layout of these machines; runc runs it.
runtime = "runc"
CONF
export CONTAINERS_CONF=$conf

"$here/../images/stand-in-base.sh" >&2
echo "export CONTAINERS_CONF=$conf"
