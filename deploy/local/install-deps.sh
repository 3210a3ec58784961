#!/usr/bin/env bash
# Installs every Debian package custflow needs to build, test and run locally, and the npm
# packages of the Kubernetes manifest check. Idempotent: installs only what is missing.
# Run as root (or with sudo available).
#   install-deps.sh           everything
#   install-deps.sh --build   only what compiling needs (the image's build stage)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler golang-github-gogo-googleapis-dev
  librdkafka-dev libhiredis-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev libboost-dev libjemalloc-dev libphonenumber-dev
  libyaml-cpp-dev libssl-dev libcairo2-dev libpango1.0-dev libxlsxwriter-dev
)
# The real servers the tests start, the readers that open the exports, and the tools the
# tests and scripts call.
test_packages=(
  kcat redis-server redis-tools clickhouse-server clickhouse-client
  curl procps time clang-format fonts-noto-cjk
  libreoffice-calc-nogui poppler-utils librsvg2-bin pngcheck
  docker-compose gdb jq
)
build_only=false
[ "${1:-}" = "--build" ] && build_only=true
packages=("${build_packages[@]}")
$build_only || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "install-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The Kubernetes manifest check (deploy/k8s-check, ctest label deploy) runs on node with the
# npm packages pinned in its package-lock.json; reinstall them when the lock file changed.
k8s_check=$repo/deploy/k8s-check
if $build_only; then
  :
elif ! command -v npm >/dev/null; then
  echo "install-deps: npm not found, skipping the packages of deploy/k8s-check"
elif [ ! -d "$k8s_check/node_modules" ] || [ "$k8s_check/package-lock.json" -nt "$k8s_check/node_modules" ]; then
  echo "install-deps: installing the npm packages of deploy/k8s-check"
  npm ci --prefix "$k8s_check" --no-audit --no-fund
  touch "$k8s_check/node_modules"
else
  echo "install-deps: npm packages of deploy/k8s-check are current"
fi
