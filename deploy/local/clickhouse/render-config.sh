#!/usr/bin/env bash
# Renders custflow's ClickHouse config into a data folder:
#   render-config.sh DATA_DIR HTTP_PORT TCP_PORT
# writes DATA_DIR/config.xml and DATA_DIR/users.xml (creating DATA_DIR and DATA_DIR/logs).
# Start the server afterwards with: clickhouse-server --config-file=DATA_DIR/config.xml
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 DATA_DIR HTTP_PORT TCP_PORT" >&2
  exit 2
fi
http_port=$2
tcp_port=$3
for port in "$http_port" "$tcp_port"; do
  if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "render-config: bad port '$port'" >&2
    exit 2
  fi
done
mkdir -p "$1/logs"
data_dir=$(cd "$1" && pwd -P)
if [[ $data_dir =~ [\&\<\>\|\\\"\'] ]]; then
  echo "render-config: data folder path must not contain & < > | \\ \" or ': $data_dir" >&2
  exit 2
fi

template_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for name in config.xml users.xml; do
  sed -e "s|@DATA_DIR@|${data_dir}|g" -e "s|@HTTP_PORT@|${http_port}|g" \
      -e "s|@TCP_PORT@|${tcp_port}|g" "$template_dir/$name.in" > "$data_dir/$name.tmp"
  mv "$data_dir/$name.tmp" "$data_dir/$name"
done
