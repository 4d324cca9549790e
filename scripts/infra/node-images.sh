#!/usr/bin/env bash
# Builds (once) the images the test node runs, as docker-archive tarballs in
# $CACHE_DIR/node-images, and imports them into the node's containerd (`import` subcommand).
# No registry is reachable, so every image is assembled here:
# - the pod sandbox: one static binary (node/pause.c) that holds the pod's namespaces;
# - one runtime image per built-in language, a minimal Debian root filesystem (mmdebstrap, from
#   the machine's own apt sources) with that language's interpreter from Debian's packages.
# Tags follow RUNTIME_IMAGE_PREFIX/<language>:<version>; scripts/infra/node.sh hands the matching
# RUNTIME_IMAGES table to the tests.
source "$(dirname "$0")/common.sh"

IMAGES_DIR="${CACHE_DIR}/node-images"
RUNTIME_IMAGE_PREFIX="localhost/execution-queue-runtime"
PAUSE_IMAGE="localhost/execution-queue/pause:1"
SUITE="bookworm"
# language, interpreter version as bookworm ships it, Debian packages that bring it.
RUNTIMES=(
  "python 3.11 python3,python-is-python3"
  "node 18 nodejs"
  "ruby 3.1 ruby"
  "bash 5.2 bash"
)
mkdir -p "${IMAGES_DIR}"

# The RUNTIME_IMAGES value (language=image template) matching the images built here.
runtime_images_table() {
  local entry language version packages table=""
  for entry in "${RUNTIMES[@]}"; do
    read -r language version packages <<< "${entry}"
    table+="${table:+,}${language}=${RUNTIME_IMAGE_PREFIX}/${language}:{version}"
  done
  printf '%s' "${table}"
}

build_pause() {
  local out="${IMAGES_DIR}/pause.tar"
  [ -f "${out}" ] && return 0
  command -v gcc > /dev/null || { say "gcc is needed to build the sandbox image"; return 1; }
  say "building the pod sandbox image ${PAUSE_IMAGE}"
  local root; root="$(mktemp -d)"
  gcc -static -Os -o "${root}/pause" "${REPO_ROOT}/scripts/infra/node/pause.c"
  tar -C "${root}" -cf "${root}.layer.tar" pause
  rm -rf "${root}"
  write_archive "${root}.layer.tar" "${PAUSE_IMAGE}" "${out}" '["/pause"]'
}

build_runtime() {
  local language="$1" version="$2" packages="$3"
  local out="${IMAGES_DIR}/${language}-${version}.tar"
  [ -f "${out}" ] && return 0
  if ! command -v mmdebstrap > /dev/null; then
    say "installing Debian's mmdebstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q mmdebstrap > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q mmdebstrap > /dev/null; }
  fi
  say "building ${RUNTIME_IMAGE_PREFIX}/${language}:${version} from Debian ${SUITE} (${packages}; first run only)"
  local layer="${IMAGES_DIR}/${language}.layer.tar"
  # The machine's own apt sources; documentation and translations are left out of the image.
  mmdebstrap --quiet --mode=root --variant=essential --format=tar --include="${packages}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    "${SUITE}" "${layer}" /etc/apt/sources.list.d/debian.sources
  write_archive "${layer}" "${RUNTIME_IMAGE_PREFIX}/${language}:${version}" "${out}" '["/bin/sh"]'
}

build_all() {
  build_pause
  local entry language version packages
  for entry in "${RUNTIMES[@]}"; do
    read -r language version packages <<< "${entry}"
    build_runtime "${language}" "${version}" "${packages}"
  done
}

# Imports every archive into containerd at socket $1 (namespace k8s.io, where the kubelet looks).
import_all() {
  local socket="$1" archive
  for archive in "${IMAGES_DIR}"/*.tar; do
    ctr --address "${socket}" -n k8s.io images import "${archive}" > /dev/null
  done
}

case "${1:-build}" in
  build) build_all ;;
  import) build_all && import_all "$2" ;;
  table) runtime_images_table ;;
  pause-image) printf '%s' "${PAUSE_IMAGE}" ;;
  *) say "usage: node-images.sh build | import SOCKET | table | pause-image"; exit 2 ;;
esac
