#!/usr/bin/env bash
# Static check of the container image and the compose file, without a Docker engine:
#   deploy/docker/check.sh BUILD_DIR
# Dockerfile: every FROM pinned, a non-root USER, a HEALTHCHECK, every COPY source present,
# and a runtime package for every shared library the shipped binaries (from BUILD_DIR)
# load. Compose: `docker-compose config` passes, and deploy/k8s-check/validate.mjs applies
# its variable rules to the rendered file (every CUSTFLOW_* variable a real setting of the
# service, docs/CONFIGURATION.md; no address left at a loopback default). Exit 0 clean, 1 on
# problems (one line each), 77 when only the binaries are missing from BUILD_DIR (not built
# yet: ctest says skipped).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" "$here/check_image.py" --repo "$(cd "$here/../.." && pwd)" --build-dir "$1"
