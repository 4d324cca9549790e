#!/usr/bin/env bash
# Starts (or stops, with `down`) two more Redis set-ups on 127.0.0.1 for the store's tests:
#   - a Cluster of three masters (ports 17001-17003, no replicas), and
#   - a master (16391) with one replica (16392) watched by three Sentinels (26391-26393,
#     master name 'execution-queue', quorum 2, down after 1 s).
# Records REDIS_CLUSTER_NODES, REDIS_SENTINELS and REDIS_SENTINEL_NAME in .infra/env.
# Skipped when REDIS_URL is given from outside (the caller brings its own Redis).
source "$(dirname "$0")/common.sh"

CLUSTER_PORTS=(17001 17002 17003)
SENTINEL_MASTER_PORT=16391
SENTINEL_REPLICA_PORT=16392
SENTINEL_PORTS=(26391 26392 26393)
SENTINEL_NAME=execution-queue
BASE="${INFRA_DIR}/redis-topologies"

all_names() {
  for port in "${CLUSTER_PORTS[@]}"; do echo "redis-cluster-${port}"; done
  echo "redis-sentinel-master" "redis-sentinel-replica"
  for port in "${SENTINEL_PORTS[@]}"; do echo "redis-sentinel-${port}"; done
}

if [ "${1:-up}" = "down" ]; then
  for name in $(all_names); do stop_recorded "${name}"; done
  rm -rf "${BASE}"
  exit 0
fi

if [ -n "${REDIS_TOPOLOGIES_EXTERNAL:-}" ]; then
  say "REDIS_TOPOLOGIES_EXTERNAL is set; not starting a Cluster or Sentinels"
  exit 0
fi

# Starts one redis-server (or sentinel) in the background unless it already runs.
start_server() {
  local name="$1" port="$2" dir="$3"; shift 3
  if running "${name}" && port_open "${port}"; then return 0; fi
  mkdir -p "${dir}"
  nohup redis-server "$@" --bind 127.0.0.1 --port "${port}" --dir "${dir}" --save '' --protected-mode yes --daemonize no \
    > "${dir}/server.log" 2>&1 &
  echo $! > "${INFRA_DIR}/${name}.pid"
  wait_for_port "${port}" 30 "${dir}/server.log"
}

# The Cluster: three masters, every slot assigned, state ok.
for port in "${CLUSTER_PORTS[@]}"; do
  start_server "redis-cluster-${port}" "${port}" "${BASE}/cluster-${port}" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 --appendonly yes
done
if ! redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | grep -q 'cluster_state:ok'; then
  say "creating a Redis Cluster of three masters on ports ${CLUSTER_PORTS[*]}"
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${CLUSTER_PORTS[@]}") --cluster-replicas 0 --cluster-yes > "${BASE}/create.log" 2>&1 \
    || { cat "${BASE}/create.log"; exit 1; }
  for _ in $(seq 1 100); do
    redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.2
  done
fi
redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | grep -q 'cluster_state:ok' || { say "the Redis Cluster did not reach state ok"; exit 1; }
record_env REDIS_CLUSTER_NODES "$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}" | sed 's/,$//')"

# Sentinel: a master, its replica, three Sentinels. Sentinel rewrites its own config file, so
# each gets a fresh copy on a fresh start.
# A master takes writes only while its replica is connected and current (at most 1 s behind):
# when a failover promotes the replica, the old master refuses writes at once instead of
# accepting some that the new master never sees. Both get it, since their roles swap.
SAFE_WRITES=(--appendonly yes --min-replicas-to-write 1 --min-replicas-max-lag 1)
start_server redis-sentinel-master "${SENTINEL_MASTER_PORT}" "${BASE}/sentinel-master" "${SAFE_WRITES[@]}"
start_server redis-sentinel-replica "${SENTINEL_REPLICA_PORT}" "${BASE}/sentinel-replica" "${SAFE_WRITES[@]}" \
  --replicaof 127.0.0.1 "${SENTINEL_MASTER_PORT}"
for port in "${SENTINEL_PORTS[@]}"; do
  dir="${BASE}/sentinel-${port}"
  if running "redis-sentinel-${port}" && port_open "${port}"; then continue; fi
  mkdir -p "${dir}"
  cat > "${dir}/sentinel.conf" <<CONF
port ${port}
bind 127.0.0.1
dir ${dir}
sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${SENTINEL_MASTER_PORT} 2
sentinel down-after-milliseconds ${SENTINEL_NAME} 1000
sentinel failover-timeout ${SENTINEL_NAME} 5000
sentinel parallel-syncs ${SENTINEL_NAME} 1
CONF
  nohup redis-server "${dir}/sentinel.conf" --sentinel > "${dir}/server.log" 2>&1 &
  echo $! > "${INFRA_DIR}/redis-sentinel-${port}.pid"
  wait_for_port "${port}" 30 "${dir}/server.log"
done
# Ready once every Sentinel knows the master and its replica has caught up.
for _ in $(seq 1 150); do
  ok=1
  for port in "${SENTINEL_PORTS[@]}"; do
    redis-cli -p "${port}" sentinel get-master-addr-by-name "${SENTINEL_NAME}" | grep -q . || ok=0
  done
  master="$(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "${SENTINEL_NAME}" | tail -1)"
  [ -n "${master}" ] && redis-cli -p "${master}" info replication | grep -q 'state=online' || ok=0
  [ "${ok}" = 1 ] && break
  sleep 0.2
done
[ "${ok}" = 1 ] || { say "the Sentinel set-up did not become ready"; exit 1; }
say "Redis Cluster on ${CLUSTER_PORTS[*]}; Sentinels on ${SENTINEL_PORTS[*]} watching '${SENTINEL_NAME}'"
record_env REDIS_SENTINELS "$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}" | sed 's/,$//')"
record_env REDIS_SENTINEL_NAME "${SENTINEL_NAME}"
