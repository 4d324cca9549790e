#!/usr/bin/env bash
# Installs the schemathesis CLI (from PyPI, pinned) into a virtual environment in the cache and
# records its path as SCHEMATHESIS in .infra/env; the OpenAPI conformance test runs it.
source "$(dirname "$0")/common.sh"

VERSION="4.32.5"
VENV="${CACHE_DIR}/schemathesis-${VERSION}"

if [ ! -x "${VENV}/bin/st" ]; then
  say "installing schemathesis ${VERSION} into ${VENV}"
  rm -rf "${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install -q --disable-pip-version-check "schemathesis==${VERSION}"
else
  say "schemathesis ${VERSION} already installed"
fi
record_env SCHEMATHESIS "${VENV}/bin/st"
