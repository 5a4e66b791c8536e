#!/usr/bin/env bash
# Builds the agent and presigner images from this checkout, without a Docker engine: podman (or docker, when
# podman is missing) builds the root Dockerfile's two targets, tagged with the project version (pom.xml).
#
#   tools/images/build.sh                      production base (the Dockerfile's BASE_IMAGE, pulled as needed)
#   tools/images/build.sh --stand-in-base      a JRE base made from Debian packages, for machines that reach no
#                                              registry (development, CI); such images are tagged localhost/...
#                                              and are never pushed
#   tools/images/build.sh --registry registry.example.com/team --push
#                                              your own registry; then helm --set image.agent.repository=...
#
# Options:
#   --registry PREFIX   image names PREFIX/dumpsink-agent and PREFIX/dumpsink-presigner (default: the chart's
#                       default repositories, charts/dumpsink/values.yaml; localhost with --stand-in-base)
#   --tag TAG           default: the project version
#   --base IMAGE        another base image (e.g. your registry's mirror of eclipse-temurin:17-jre)
#   --stand-in-base     build on localhost/dumpsink-stand-in-jre:17 (tools/images/stand-in-base.sh)
#   --skip-maven        use the jars already in agent/target and presigner/target
#   --push              push both images after building (not with --stand-in-base)
#   --print-names       print the two image references and exit
# Prints the two image references, one a line, on stdout; everything else goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
chart_repo() { # the chart's default repository of one image, e.g. ghcr.io/dumpsink/dumpsink-agent
  awk -v name="$1" '/^image:/ {in_image = 1; next} /^[^ #]/ {in_image = 0}
    in_image && $1 == name":" {in_name = 1; next}
    in_image && in_name && $1 == "repository:" {print $2; exit}' charts/dumpsink/values.yaml
}
default_registry=$(dirname "$(chart_repo agent)")

registry="" tag=$version base="" stand_in=false skip_maven=false push=false print_names=false
while [ $# -gt 0 ]; do
  case $1 in
    --registry) registry=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --stand-in-base) stand_in=true; shift ;;
    --skip-maven) skip_maven=true; shift ;;
    --push) push=true; shift ;;
    --print-names) print_names=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if $stand_in; then
  $push && { echo "build.sh: images on the stand-in base are for tests only; refusing --push" >&2; exit 2; }
  registry=${registry:-localhost}
  base=${DUMPSINK_STAND_IN_BASE:-localhost/dumpsink-stand-in-jre:17}
fi
registry=${registry:-$default_registry}
agent_image=$registry/dumpsink-agent:$tag
presigner_image=$registry/dumpsink-presigner:$tag
if $print_names; then
  printf '%s\n%s\n' "$agent_image" "$presigner_image"
  exit 0
fi

engine=${DUMPSINK_CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
command -v "$engine" >/dev/null || { echo "build.sh: neither podman nor docker is installed" >&2; exit 1; }

if ! $skip_maven; then
  echo "build.sh: mvn -B -q -DskipTests package" >&2
  mvn -B -q -DskipTests package >&2
fi
for jar in agent/target/dumpsink-agent.jar presigner/target/dumpsink-presigner.jar; do
  [ -f "$jar" ] || { echo "build.sh: $jar is missing (run without --skip-maven)" >&2; exit 1; }
done

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision=$revision-dirty
fi
source_url=$(git remote get-url origin 2>/dev/null | sed -E 's#^git@([^:]+):#https://\1/#; s#\.git$##' || true)
# A clone of a local folder (CI clones one) has a path for its origin: that is no source anyone can open.
[[ $source_url == https://* ]] || source_url=""
source_url=${source_url:-$(sed -n 's/^home: *//p' charts/dumpsink/Chart.yaml)}

build_args=(--label "org.opencontainers.image.version=$version" --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.source=$source_url")
if $stand_in; then
  [ "$engine" = podman ] || { echo "build.sh: --stand-in-base needs podman" >&2; exit 1; }
  "$root/tools/images/stand-in-base.sh"
  echo "build.sh: NOTE: building on the STAND-IN base $base (Debian's openjdk-17-jre-headless, made with" \
       "debootstrap) because no registry is reachable here; the production base is the Dockerfile's BASE_IMAGE." \
       "These images are for tests, never for publishing." >&2
  build_args+=(--build-arg "BASE_IMAGE=$base" --pull=never)
elif [ -n "$base" ]; then
  build_args+=(--build-arg "BASE_IMAGE=$base")
fi

for target in agent presigner; do
  image=$registry/dumpsink-$target:$tag
  echo "build.sh: $engine build --target $target -t $image" >&2
  "$engine" build -q --target "$target" -t "$image" "${build_args[@]}" -f Dockerfile . >/dev/null
done
for image in "$agent_image" "$presigner_image"; do
  echo "build.sh: $image $("$engine" image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')" >&2
done
if $push; then
  for image in "$agent_image" "$presigner_image"; do
    "$engine" push "$image" >&2
  done
fi
printf '%s\n%s\n' "$agent_image" "$presigner_image"
