#!/usr/bin/env bash
# Starts (or stops, with `down`) a real one-node cluster around the API server of kube.sh:
# containerd and runc (Debian's packages) with a bridge network from Debian's CNI plugins, the
# images of node-images.sh imported, a kubelet registered as node `localhost`, and
# kube-scheduler and kube-controller-manager (its garbage collector deletes a pod's ConfigMap).
# Binaries come from kube-build.sh, all of one release. Skipped when KUBECONFIG was given.
#
# What this machine needs (each learned by a failure):
# - restrict_oom_score_adj: the sandbox lacks CAP_SYS_RESOURCE, and runc fails every container
#   that asks for a lower OOM score with "can't get final child's PID from pipe: EOF";
# - the kubelet refuses a loopback node address, so the node is named `localhost` and the API
#   server dials kubelets by host name (kube.sh: --kubelet-preferred-address-types=Hostname);
# - cgroup v1 here: kubelet 1.34 accepts it with the cgroupfs driver and failCgroupV1 off;
# - the pod sandbox image is built locally (no registry is reachable).
source "$(dirname "$0")/common.sh"

NODE_DIR="${INFRA_DIR}/node"
KUBE_DATA="${INFRA_DIR}/kube"
CONTAINERD_SOCKET="${NODE_DIR}/containerd/containerd.sock"
KUBELET_DIR="${NODE_DIR}/kubelet"
KUBELET_PORT="${INFRA_KUBELET_PORT:-10250}"
KUBELET_HEALTH_PORT="${INFRA_KUBELET_HEALTH_PORT:-10248}"
SCHEDULER_PORT="${INFRA_SCHEDULER_PORT:-10259}"
CONTROLLER_MANAGER_PORT="${INFRA_CONTROLLER_MANAGER_PORT:-10257}"
CNI_BRIDGE="eq-cni0"
# Pod addresses on the node's own bridge; the bridge has no gateway, so pods reach nothing else.
POD_SUBNET="${INFRA_POD_SUBNET:-10.88.0.0/16}"
NODE_COMPONENTS=(kube-controller-manager kube-scheduler kubelet containerd)

# Everything below NODE_DIR that is mounted, deepest first.
node_mounts() {
  findmnt -rn -o TARGET | grep -F "${NODE_DIR}/" | sort -r || true
}

# Kills every process in the kubelet's pod cgroups (containers and their sandboxes).
kill_pod_processes() {
  local procs
  for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs /sys/fs/cgroup/*/kubepods/*/cgroup.procs \
    /sys/fs/cgroup/*/kubepods/*/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/*/cgroup.procs; do
    [ -f "${procs}" ] || continue
    xargs -r kill -9 < "${procs}" 2> /dev/null || true
  done
}

# Removes the kubelet's now empty pod cgroups, deepest first.
remove_pod_cgroups() {
  local dir
  for dir in $(find /sys/fs/cgroup/*/kubepods -depth -type d 2> /dev/null); do rmdir "${dir}" 2> /dev/null || true; done
}

down() {
  local component
  for component in kube-controller-manager kube-scheduler kubelet; do stop_recorded "${component}"; done
  kill_pod_processes
  # The shims of this containerd (their command line names its socket's folder).
  pkill -9 -f "containerd-shim-runc-v2 .*${NODE_DIR}/containerd" 2> /dev/null || true
  stop_recorded containerd
  local netns
  for netns in /var/run/netns/cni-*; do
    [ -e "${netns}" ] || continue
    umount "${netns}" 2> /dev/null || true
    rm -f "${netns}"
  done
  ip link delete "${CNI_BRIDGE}" 2> /dev/null || true
  local target
  while read -r target; do [ -n "${target}" ] && umount -l "${target}" 2> /dev/null || true; done < <(node_mounts)
  remove_pod_cgroups
  rm -rf "${NODE_DIR}"
}

if [ "${1:-up}" = "down" ]; then
  down
  exit 0
fi

if [ -n "${KUBECONFIG:-}" ]; then
  say "KUBECONFIG is set; that cluster brings its own nodes"
  exit 0
fi

ensure_packages() {
  local missing=()
  command -v containerd > /dev/null || missing+=(containerd)
  command -v runc > /dev/null || missing+=(runc)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  command -v ip > /dev/null || missing+=(iproute2)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q "${missing[@]}" > /dev/null; }
}

write_containerd_config() {
  mkdir -p "${NODE_DIR}/containerd" "${NODE_DIR}/cni"
  cat > "${NODE_DIR}/cni/10-execution-queue.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "execution-queue",
  "plugins": [
    { "type": "bridge", "bridge": "${CNI_BRIDGE}", "isGateway": false, "ipMasq": false,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "${POD_SUBNET}" }]], "dataDir": "${NODE_DIR}/cni/ipam" } },
    { "type": "loopback" }
  ]
}
CNI
  cat > "${NODE_DIR}/containerd/config.toml" <<TOML
version = 2
root = "${NODE_DIR}/containerd/root"
state = "${NODE_DIR}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "${CONTAINERD_SOCKET}"
[ttrpc]
  address = "${CONTAINERD_SOCKET}.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$(bash "${REPO_ROOT}/scripts/infra/node-images.sh" pause-image)"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${NODE_DIR}/cni"
TOML
}

start_containerd() {
  running containerd && [ -S "${CONTAINERD_SOCKET}" ] && return 0
  say "starting containerd $(containerd --version | awk '{print $3}') (log: ${INFRA_DIR}/containerd.log)"
  nohup containerd --config "${NODE_DIR}/containerd/config.toml" > "${INFRA_DIR}/containerd.log" 2>&1 &
  echo $! > "${INFRA_DIR}/containerd.pid"
  for _ in $(seq 1 100); do
    ctr --address "${CONTAINERD_SOCKET}" version > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  say "containerd did not answer on ${CONTAINERD_SOCKET}"; tail -n 40 "${INFRA_DIR}/containerd.log"; return 1
}

# A kubeconfig for the node's components: the API server's admin token (test cluster only).
write_component_kubeconfig() {
  sed 's/namespace: [^ }]*/namespace: default/' "${KUBE_DATA}/kubeconfig" > "${NODE_DIR}/components.kubeconfig"
}

write_kubelet_config() {
  mkdir -p "${KUBELET_DIR}/pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "${KUBELET_DIR}/pki/kubelet.key" -out "${KUBELET_DIR}/pki/kubelet.crt" 2> /dev/null
  cat > "${NODE_DIR}/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: ${KUBELET_PORT}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${KUBELET_HEALTH_PORT}
tlsCertFile: ${KUBELET_DIR}/pki/kubelet.crt
tlsPrivateKeyFile: ${KUBELET_DIR}/pki/kubelet.key
# Test node only: the API server reads logs without client certificates.
authentication: { anonymous: { enabled: true }, webhook: { enabled: false } }
authorization: { mode: AlwaysAllow }
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://${CONTAINERD_SOCKET}
imageServiceEndpoint: unix://${CONTAINERD_SOCKET}
# The runtime images cannot be pulled again: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%" }
podPidsLimit: 1024
maxPods: 110
resolvConf: ""
YAML
}

start_kubelet() {
  running kubelet && return 0
  say "starting kubelet as node localhost (log: ${INFRA_DIR}/kubelet.log)"
  nohup "${BIN_DIR}/kubelet" --config "${NODE_DIR}/kubelet.yaml" --kubeconfig "${NODE_DIR}/components.kubeconfig" \
    --root-dir "${KUBELET_DIR}" --hostname-override localhost --v=1 > "${INFRA_DIR}/kubelet.log" 2>&1 &
  echo $! > "${INFRA_DIR}/kubelet.pid"
}

start_control_plane() {
  if ! running kube-scheduler; then
    nohup "${BIN_DIR}/kube-scheduler" --kubeconfig "${NODE_DIR}/components.kubeconfig" --leader-elect=false \
      --bind-address 127.0.0.1 --secure-port "${SCHEDULER_PORT}" --v=0 > "${INFRA_DIR}/kube-scheduler.log" 2>&1 &
    echo $! > "${INFRA_DIR}/kube-scheduler.pid"
  fi
  if ! running kube-controller-manager; then
    nohup "${BIN_DIR}/kube-controller-manager" --kubeconfig "${NODE_DIR}/components.kubeconfig" --leader-elect=false \
      --bind-address 127.0.0.1 --secure-port "${CONTROLLER_MANAGER_PORT}" \
      --service-account-private-key-file "${KUBE_DATA}/certs/service-account.key" --root-ca-file "${KUBE_DATA}/certs/apiserver.crt" \
      --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle-controller,-node-route-controller' \
      --v=0 > "${INFRA_DIR}/kube-controller-manager.log" 2>&1 &
    echo $! > "${INFRA_DIR}/kube-controller-manager.pid"
  fi
}

# Waits until node localhost reports Ready.
wait_for_node() {
  local token; token="$(cut -d, -f1 "${KUBE_DATA}/tokens.csv")"
  local api; api="$(sed -n 's/^[[:space:]]*server: //p' "${KUBE_DATA}/kubeconfig")"
  for _ in $(seq 1 120); do
    if curl -sk -H "Authorization: Bearer ${token}" "${api}/api/v1/nodes/localhost" 2> /dev/null \
      | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{const c=JSON.parse(s).status.conditions.find((x)=>x.type==="Ready");process.exit(c&&c.status==="True"?0:1)}catch{process.exit(1)}})'; then
      return 0
    fi
    sleep 1
  done
  say "node localhost did not become Ready; kubelet log:"; tail -n 40 "${INFRA_DIR}/kubelet.log"; return 1
}

ensure_packages
bash "${REPO_ROOT}/scripts/infra/kube-build.sh"
BIN_DIR="$(ls -d "${CACHE_DIR}"/kube-*-etcd-* | head -n 1)"
bash "${REPO_ROOT}/scripts/infra/node-images.sh" build
if ! running kubelet; then
  # A node left by a run that did not stop cleanly goes first.
  down
  mkdir -p "${NODE_DIR}"
  write_containerd_config
  start_containerd
  say "importing the runtime images into containerd"
  bash "${REPO_ROOT}/scripts/infra/node-images.sh" import "${CONTAINERD_SOCKET}"
  write_component_kubeconfig
  write_kubelet_config
  start_kubelet
fi
start_control_plane
wait_for_node
record_env RUNTIME_IMAGES "$(bash "${REPO_ROOT}/scripts/infra/node-images.sh" table)"
record_env K8S_NODE localhost
say "node localhost ready (containerd ${CONTAINERD_SOCKET})"
