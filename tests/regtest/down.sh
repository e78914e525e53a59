#!/usr/bin/env bash
# Stops exactly the processes tests/regtest/up.sh DIR started (their PIDs are in DIR/pids).
set -u
dir=${1:?usage: down.sh DIR}
[ -f "$dir/pids" ] || exit 0
while read -r pid; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done < "$dir/pids"
for _ in $(seq 40); do
  alive=0
  while read -r pid; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1; done < "$dir/pids"
  [ $alive = 0 ] && break; sleep 0.25
done
while read -r pid; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; done < "$dir/pids"
rm -f "$dir/pids"
