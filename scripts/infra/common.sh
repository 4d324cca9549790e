# Shared helpers for the infrastructure scripts. Sourced, not run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA_DIR="${REPO_ROOT}/.infra"
CACHE_DIR="${EXECUTION_QUEUE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/execution-queue}"
ENV_FILE="${INFRA_DIR}/env"
mkdir -p "${INFRA_DIR}" "${CACHE_DIR}"

say() { printf '[infra] %s\n' "$*"; }

# Records KEY=VALUE in .infra/env, replacing an earlier value of KEY.
record_env() {
  local key="$1" value="$2"
  touch "${ENV_FILE}"
  grep -v "^${key}=" "${ENV_FILE}" > "${ENV_FILE}.tmp" || true
  printf '%s=%s\n' "${key}" "${value}" >> "${ENV_FILE}.tmp"
  mv "${ENV_FILE}.tmp" "${ENV_FILE}"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits up to $2 seconds for port $1; prints $3 (a log file) on failure.
wait_for_port() {
  local port="$1" seconds="$2" log="${3:-}"
  for _ in $(seq 1 $((seconds * 5))); do
    port_open "${port}" && return 0
    sleep 0.2
  done
  say "nothing listens on 127.0.0.1:${port} after ${seconds}s"
  [ -n "${log}" ] && [ -f "${log}" ] && tail -n 40 "${log}"
  return 1
}

# Is the process recorded in .infra/<name>.pid alive?
running() {
  local pid_file="${INFRA_DIR}/$1.pid"
  [ -f "${pid_file}" ] && kill -0 "$(cat "${pid_file}")" 2>/dev/null
}

stop_recorded() {
  local name="$1" pid_file="${INFRA_DIR}/$1.pid"
  if running "${name}"; then
    local pid; pid="$(cat "${pid_file}")"
    say "stopping ${name} (pid ${pid})"
    kill "${pid}" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.2; done
    kill -9 "${pid}" 2>/dev/null || true
  fi
  rm -f "${pid_file}"
}

# Wraps one layer tarball into a docker-archive (`ctr images import`, `buildah pull
# docker-archive:`): write_archive LAYER TAG OUT CMD_JSON. The layer tarball is moved.
write_archive() {
  local layer="$1" tag="$2" out="$3" command_json="$4" dir digest arch
  dir="$(mktemp -d)"
  mv "${layer}" "${dir}/layer.tar"
  digest="$(sha256sum "${dir}/layer.tar" | cut -d' ' -f1)"
  arch="$(dpkg --print-architecture)"
  cat > "${dir}/config.json" <<CONFIG
{"architecture":"${arch}","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":${command_json},"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:${digest}"]},"history":[{"created_by":"assembled by scripts/infra (one layer)"}]}
CONFIG
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "${tag}" > "${dir}/manifest.json"
  tar -C "${dir}" -cf "${out}.tmp" manifest.json config.json layer.tar
  mv "${out}.tmp" "${out}"
  rm -rf "${dir}"
}
