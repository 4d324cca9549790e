#!/usr/bin/env bash
# Builds (once) etcd and the Kubernetes control plane and node binaries (kube-apiserver,
# kube-scheduler, kube-controller-manager, kubelet) of one release from the Go module proxy into
# $CACHE_DIR/kube-<version>-etcd-<version>.
# k8s.io/kubernetes requires its staging modules at v0.0.0, which no proxy serves, so the
# build module replaces each of them with its published v0.<minor>.<patch> twin.
source "$(dirname "$0")/common.sh"

KUBE_VERSION="${INFRA_KUBE_VERSION:-1.34.4}"
ETCD_VERSION="${INFRA_ETCD_VERSION:-3.6.16}"
BIN_DIR="${CACHE_DIR}/kube-${KUBE_VERSION}-etcd-${ETCD_VERSION}"
KUBE_COMMANDS=(kube-apiserver kube-scheduler kube-controller-manager kubelet)
export GOFLAGS="-mod=mod -buildvcs=false"

missing=()
for command in "${KUBE_COMMANDS[@]}"; do
  [ -x "${BIN_DIR}/${command}" ] || missing+=("${command}")
done
if [ ${#missing[@]} -eq 0 ] && [ -x "${BIN_DIR}/etcd" ]; then
  exit 0
fi
mkdir -p "${BIN_DIR}"
WORK="${CACHE_DIR}/kube-build"
rm -rf "${WORK}" && mkdir -p "${WORK}/etcd" "${WORK}/kubernetes"

if [ ! -x "${BIN_DIR}/etcd" ]; then
  say "building etcd ${ETCD_VERSION} (first run only; takes minutes)"
  cp "${REPO_ROOT}/scripts/infra/kube/etcd-main.go.txt" "${WORK}/etcd/main.go"
  (cd "${WORK}/etcd" && go mod init execution-queue/infra-etcd > /dev/null 2>&1 \
    && go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" > /dev/null \
    && go mod tidy > /dev/null \
    && go build -trimpath -o "${BIN_DIR}/etcd.tmp" . && mv "${BIN_DIR}/etcd.tmp" "${BIN_DIR}/etcd")
fi

if [ ${#missing[@]} -gt 0 ]; then
  say "building ${missing[*]} ${KUBE_VERSION} (first run only; takes minutes)"
  cd "${WORK}/kubernetes"
  go mod init execution-queue/infra-kubernetes > /dev/null 2>&1
  gomod_file="$(go mod download -json "k8s.io/kubernetes@v${KUBE_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  staging_version="v0.${KUBE_VERSION#1.}"
  # Every module the release pins at v0.0.0 is a staging module.
  grep -E '^[[:space:]]*k8s\.io/[^ ]+ v0\.0\.0$' "${gomod_file}" | awk '{print $1}' | sort -u | while read -r module; do
    go mod edit -replace "${module}=${module}@${staging_version}"
  done
  go mod edit -require "k8s.io/kubernetes@v${KUBE_VERSION}"
  go_version="$(sed -n 's/^go \(.*\)$/\1/p' "${gomod_file}")"
  go mod edit -go "${go_version}"
  cp "${REPO_ROOT}/scripts/infra/kube/kubernetes-main.go.txt" main.go
  go mod tidy > /dev/null
  minor="$(echo "${KUBE_VERSION}" | cut -d. -f2)"
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
  for command in "${missing[@]}"; do
    say "building ${command}"
    go build -trimpath -ldflags "${ldflags}" -o "${BIN_DIR}/${command}.tmp" "k8s.io/kubernetes/cmd/${command}"
    mv "${BIN_DIR}/${command}.tmp" "${BIN_DIR}/${command}"
  done
fi
rm -rf "${WORK}"
say "built ${BIN_DIR}"
