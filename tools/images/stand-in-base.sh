#!/usr/bin/env bash
# Builds the STAND-IN base image, localhost/dumpsink-stand-in-jre:17, from Debian packages: Debian 12's
# openjdk-17-jre-headless on a minimal Debian root made by debootstrap, imported with `podman import`.
# It exists because no container registry is reachable on the development and CI machines, so the production
# base named in the Dockerfile (eclipse-temurin:17-jre) cannot be pulled there. Images built on it are for the
# tests; publish images built on the production base (tools/images/build.sh without --stand-in-base).
# Idempotent: does nothing when the image exists; the Debian root is cached in $DUMPSINK_CONTAINER_CACHE
# (/var/tmp/dumpsink-containers) so a wiped image store is refilled in seconds.
set -euo pipefail
image=${DUMPSINK_STAND_IN_BASE:-localhost/dumpsink-stand-in-jre:17}
cache=${DUMPSINK_CONTAINER_CACHE:-/var/tmp/dumpsink-containers}
suite=bookworm
if podman image exists "$image"; then
  exit 0
fi
mkdir -p "$cache"
# One builder at a time on a machine (other checkouts share the cache and podman's image store).
exec 9>"$cache/stand-in-base.lock"
flock 9
if podman image exists "$image"; then
  exit 0
fi
rootfs=$cache/rootfs-$suite-jre17
if [ ! -x "$rootfs/usr/bin/java" ]; then
  command -v debootstrap >/dev/null || { echo "stand-in base: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  echo "stand-in base: debootstrap $suite with openjdk-17-jre-headless (about 50 s)" >&2
  rm -rf "$rootfs.tmp"
  # The Debian mirror apt already uses on this machine.
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  debootstrap --variant=minbase --include=openjdk-17-jre-headless "$suite" "$rootfs.tmp" ${mirror:+"$mirror"} \
    >"$cache/debootstrap.log" 2>&1 || { echo "stand-in base: debootstrap failed, see $cache/debootstrap.log" >&2; exit 1; }
  # What a container never uses: package caches and lists, documentation.
  rm -rf "$rootfs.tmp"/var/cache/apt/archives/*.deb "$rootfs.tmp"/var/lib/apt/lists/* \
    "$rootfs.tmp"/usr/share/doc/* "$rootfs.tmp"/usr/share/man/* "$rootfs.tmp"/usr/share/info/*
  mv "$rootfs.tmp" "$rootfs"
fi
tar -C "$rootfs" -c . | podman import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'LABEL io.dumpsink.stand-in="Debian bookworm + openjdk-17-jre-headless via debootstrap; not for publishing"' \
  - "$image" >/dev/null
echo "stand-in base: built $image" >&2
