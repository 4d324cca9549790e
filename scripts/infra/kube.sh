#!/usr/bin/env bash
# Starts (or stops, with `down`) etcd and a kube-apiserver on 127.0.0.1, built once by
# kube-build.sh; writes a kubeconfig for a test admin (token auth, group system:masters) and
# creates the executions namespace. Skipped when KUBECONFIG is already set.
#
# Pods are served without the API server's watch cache (--watch-cache-sizes=pods#0), so a pod
# watch resuming from a version etcd has compacted away gets 410 Gone, as it does on a busy
# production cluster; the pod watch test relies on it (it compacts etcd at ETCD_URL).
source "$(dirname "$0")/common.sh"

ETCD_PORT="${INFRA_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${INFRA_ETCD_PEER_PORT:-12380}"
API_PORT="${INFRA_KUBE_API_PORT:-16443}"
NAMESPACE="${K8S_NAMESPACE:-integr8scode}"
DATA="${INFRA_DIR}/kube"

if [ "${1:-up}" = "down" ]; then
  stop_recorded kube-apiserver
  stop_recorded etcd
  exit 0
fi

if [ -n "${KUBECONFIG:-}" ]; then
  say "KUBECONFIG is set (${KUBECONFIG}); using that cluster"
  record_env KUBECONFIG "${KUBECONFIG}"
  exit 0
fi

bash "${REPO_ROOT}/scripts/infra/kube-build.sh"
BIN_DIR="$(ls -d "${CACHE_DIR}"/kube-*-etcd-* | head -n 1)"
mkdir -p "${DATA}/certs"

if ! { running etcd && port_open "${ETCD_PORT}"; }; then
  say "starting etcd on 127.0.0.1:${ETCD_PORT}"
  nohup "${BIN_DIR}/etcd" --name infra --data-dir "${DATA}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "infra=http://127.0.0.1:${ETCD_PEER_PORT}" --unsafe-no-fsync --log-level warn > "${INFRA_DIR}/etcd.log" 2>&1 &
  echo $! > "${INFRA_DIR}/etcd.pid"
  wait_for_port "${ETCD_PORT}" 30 "${INFRA_DIR}/etcd.log"
fi

TOKEN_FILE="${DATA}/tokens.csv"
if [ ! -f "${TOKEN_FILE}" ]; then
  openssl genrsa -out "${DATA}/certs/service-account.key" 2048 2> /dev/null
  printf '%s,infra-admin,infra-admin,"system:masters"\n' "$(openssl rand -hex 24)" > "${TOKEN_FILE}"
fi
TOKEN="$(cut -d, -f1 "${TOKEN_FILE}")"

if ! { running kube-apiserver && port_open "${API_PORT}"; }; then
  say "starting kube-apiserver on https://127.0.0.1:${API_PORT} (log: ${INFRA_DIR}/kube-apiserver.log)"
  nohup "${BIN_DIR}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${ETCD_PORT}" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
    --secure-port "${API_PORT}" --cert-dir "${DATA}/certs" \
    --service-cluster-ip-range 10.0.0.0/24 --disable-admission-plugins ServiceAccount \
    --authorization-mode RBAC --token-auth-file "${TOKEN_FILE}" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "${DATA}/certs/service-account.key" \
    --service-account-signing-key-file "${DATA}/certs/service-account.key" \
    --watch-cache-sizes=pods#0 --kubelet-preferred-address-types=Hostname \
    --allow-privileged=false --v=0 > "${INFRA_DIR}/kube-apiserver.log" 2>&1 &
  echo $! > "${INFRA_DIR}/kube-apiserver.pid"
  wait_for_port "${API_PORT}" 90 "${INFRA_DIR}/kube-apiserver.log"
fi

KUBECONFIG_FILE="${DATA}/kubeconfig"
cat > "${KUBECONFIG_FILE}" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: infra
    cluster:
      server: https://127.0.0.1:${API_PORT}
      insecure-skip-tls-verify: true
users:
  - name: infra-admin
    user:
      token: ${TOKEN}
contexts:
  - name: infra
    context: { cluster: infra, user: infra-admin, namespace: ${NAMESPACE} }
current-context: infra
KUBECONFIG

say "waiting until the API server is ready"
for _ in $(seq 1 120); do
  if curl -sk -H "Authorization: Bearer ${TOKEN}" "https://127.0.0.1:${API_PORT}/readyz" | grep -q '^ok$'; then break; fi
  sleep 0.5
done
curl -sk -H "Authorization: Bearer ${TOKEN}" "https://127.0.0.1:${API_PORT}/readyz" | grep -q '^ok$' || { tail -n 40 "${INFRA_DIR}/kube-apiserver.log"; exit 1; }
# The executions namespace (409 when it exists already is fine).
curl -sk -o /dev/null -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
  -X POST "https://127.0.0.1:${API_PORT}/api/v1/namespaces" -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"${NAMESPACE}\"}}"
record_env KUBECONFIG "${KUBECONFIG_FILE}"
# The pod watch test compacts this etcd to make the API server answer 410 Gone.
record_env ETCD_URL "http://127.0.0.1:${ETCD_PORT}"
say "Kubernetes API server ready; KUBECONFIG=${KUBECONFIG_FILE}"
