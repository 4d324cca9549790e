#!/usr/bin/env bash
# Starts on 127.0.0.1 what the integration tests need and the environment does not already
# provide, and writes the addresses to .infra/env as KEY=VALUE lines.
source "$(dirname "$0")/common.sh"
: > "${ENV_FILE}"
bash "${REPO_ROOT}/scripts/infra/kafka.sh" up
bash "${REPO_ROOT}/scripts/infra/redis.sh" up
bash "${REPO_ROOT}/scripts/infra/redis-topologies.sh" up
bash "${REPO_ROOT}/scripts/infra/kube.sh" up
bash "${REPO_ROOT}/scripts/infra/node.sh" up
bash "${REPO_ROOT}/scripts/infra/schemathesis.sh"
bash "${REPO_ROOT}/scripts/infra/chromium.sh"
say "ready; addresses in ${ENV_FILE}:"
sed 's/^/[infra]   /' "${ENV_FILE}"
