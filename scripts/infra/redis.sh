#!/usr/bin/env bash
# Starts (or stops, with `down`) a Redis server on 127.0.0.1 with AOF on, data under .infra/redis.
# Installs Debian's redis-server when it is missing. Skipped when REDIS_URL is already set.
source "$(dirname "$0")/common.sh"

REDIS_PORT="${INFRA_REDIS_PORT:-16379}"
DATA="${INFRA_DIR}/redis"
LOG="${INFRA_DIR}/redis.log"

if [ "${1:-up}" = "down" ]; then
  stop_recorded redis
  exit 0
fi

if [ -n "${REDIS_URL:-}" ]; then
  say "REDIS_URL is set (${REDIS_URL}); using that server"
  record_env REDIS_URL "${REDIS_URL}"
  exit 0
fi

if ! command -v redis-server > /dev/null; then
  say "installing Debian's redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q redis-server > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q redis-server > /dev/null; }
fi

if running redis && port_open "${REDIS_PORT}"; then
  say "Redis already running on 127.0.0.1:${REDIS_PORT}"
else
  mkdir -p "${DATA}"
  say "starting $(redis-server --version | cut -d' ' -f3) on 127.0.0.1:${REDIS_PORT} with AOF (log: ${LOG})"
  # AOF with the default fsync every second: a clean restart (SIGTERM) loses nothing, which the
  # restart test checks; a hard crash of Redis itself could lose the last second.
  nohup redis-server --bind 127.0.0.1 --port "${REDIS_PORT}" --dir "${DATA}" --appendonly yes --appendfsync everysec \
    --save '' --protected-mode yes --daemonize no > "${LOG}" 2>&1 &
  echo $! > "${INFRA_DIR}/redis.pid"
  wait_for_port "${REDIS_PORT}" 30 "${LOG}"
fi
record_env REDIS_URL "redis://127.0.0.1:${REDIS_PORT}"
