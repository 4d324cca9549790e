#!/usr/bin/env bash
# Stops whatever scripts/infra/up.sh started.
source "$(dirname "$0")/common.sh"
bash "${REPO_ROOT}/scripts/infra/kafka.sh" down
bash "${REPO_ROOT}/scripts/infra/redis.sh" down
bash "${REPO_ROOT}/scripts/infra/redis-topologies.sh" down
bash "${REPO_ROOT}/scripts/infra/node.sh" down
bash "${REPO_ROOT}/scripts/infra/kube.sh" down
rm -f "${ENV_FILE}"
