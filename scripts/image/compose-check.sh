#!/usr/bin/env bash
# Validates a Compose file (default: the repository's docker-compose.yml) against the Compose
# schema with Debian's docker-compose, which needs no container engine for `config`. Installs it
# (without the engine it recommends) when it is missing. Exits non-zero on an invalid file.
source "$(dirname "$0")/../infra/common.sh"
FILE="${1:-${REPO_ROOT}/docker-compose.yml}"
if ! command -v docker-compose > /dev/null; then
  printf '[image] installing Debian'"'"'s docker-compose (without an engine)\n'
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends docker-compose > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q --no-install-recommends docker-compose > /dev/null; }
fi
docker-compose --file "${FILE}" config --quiet
