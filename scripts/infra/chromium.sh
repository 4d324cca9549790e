#!/usr/bin/env bash
# Installs Debian's chromium when it is missing (the dashboard's browser tests drive it with
# playwright-core; browsers cannot be downloaded here) and records its path as CHROMIUM.
source "$(dirname "$0")/common.sh"

if [ -n "${CHROMIUM:-}" ]; then
  record_env CHROMIUM "${CHROMIUM}"
  exit 0
fi
if ! command -v chromium > /dev/null; then
  say "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q chromium > /dev/null; }
fi
record_env CHROMIUM "$(command -v chromium)"
