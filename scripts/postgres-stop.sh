#!/usr/bin/env bash
# Stop the PostgreSQL that scripts/postgres-start.sh started in DIR.
set -uo pipefail
directory=${1:?data directory}
bin_dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); else run_as=(); fi
"${run_as[@]}" "$bin_dir/pg_ctl" -D "$directory" -m fast -w stop >/dev/null 2>&1 || true
