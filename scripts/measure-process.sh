#!/usr/bin/env bash
# Start-up time and idle memory of one app process, for the README's figures:
#   TEMPORAL_ADDRESS=... bash scripts/measure-process.sh <command...>     e.g. node dist/src/bin/order-worker.js
# Start-up: from launch until the SDK logs the worker RUNNING. Idle RSS: the whole process tree (tsx and its node
# child count together), 10 s after that, with no tasks.
set -euo pipefail
log="$(mktemp)"
start=$(date +%s%N)
setsid "$@" >"$log" 2>&1 </dev/null &
pid=$!
until grep -q "state: 'RUNNING'" "$log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "process exited before polling" >&2; exit 1; }
  sleep 0.02
done
ready=$(date +%s%N)
sleep 10
rss_kb=0 procs=0
for p in $(ps -o pid= -s "$pid"); do
  rss_kb=$((rss_kb + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))) procs=$((procs + 1))
done
kill -TERM -- "-$pid" 2>/dev/null || true
wait "$pid" || true
printf 'start-up %.1f s, idle RSS %d MiB (%d processes): %s\n' "$(echo "($ready - $start) / 1000000000" | bc -l)" \
  $((rss_kb / 1024)) "$procs" "$*"
grep -h 'workflows' "$log" || true
rm -f "$log"
