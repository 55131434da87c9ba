#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for tests and benchmarks; print its URL.
# Usage: scripts/postgres-start.sh DIR [PORT]   (stop with scripts/postgres-stop.sh DIR)
set -euo pipefail
directory=${1:?data directory}
port=${2:-54329}
bin_dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$directory"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$directory"
    run_as=(runuser -u postgres --)
else
    run_as=()
fi
if [ ! -f "$directory/PG_VERSION" ]; then
    "${run_as[@]}" "$bin_dir/initdb" -D "$directory" -U postgres --auth=trust -E UTF8 >/dev/null
fi
"${run_as[@]}" "$bin_dir/pg_ctl" -D "$directory" -l "$directory/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$directory -c fsync=off -c max_connections=200" start >/dev/null
"$bin_dir/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='paydesk'" | grep -q 1 \
    || "$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U postgres paydesk
echo "postgres://postgres@127.0.0.1:$port/paydesk"
