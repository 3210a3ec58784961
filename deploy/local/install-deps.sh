#!/usr/bin/env bash
# Installs every Debian package custflow needs to build, test and run locally.
# Idempotent: installs only what is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler golang-github-gogo-googleapis-dev
  librdkafka-dev kcat
  libhiredis-dev redis-server redis-tools
  libcurl4-openssl-dev clickhouse-server clickhouse-client
  libgtest-dev libgmock-dev nlohmann-json3-dev libboost-dev libjemalloc-dev libphonenumber-dev
  libyaml-cpp-dev libssl-dev curl procps time clang-format
  libcairo2-dev libpango1.0-dev libxlsxwriter-dev fonts-noto-cjk
  libreoffice-calc-nogui poppler-utils librsvg2-bin pngcheck
  docker-compose
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
echo "install-deps: done"
