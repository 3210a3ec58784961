#!/usr/bin/env bash
# Installs what is missing and builds everything into build/ (or $CUSTFLOW_BUILD_DIR).
# Extra arguments go to CMake's configure step, e.g. -DCUSTFLOW_SANITIZE=ON.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${CUSTFLOW_BUILD_DIR:-$repo/build}

bash "$repo/deploy/local/install-deps.sh"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
started=$SECONDS
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTFLOW_WERROR=$werror "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
echo "build: done in $((SECONDS - started)) s ($build_dir)"
