#!/usr/bin/env bash
# Where `dumpsink get`'s time goes: its timeline (JVM start -> client built -> manifest read -> planned -> first range
# requested -> last byte written -> renamed) and each thread's CPU-seconds, printed by DUMPSINK_TIMINGS=1, plus the
# whole process's and the S3 server's CPU. Used for bench/PROFILE.md ("dumpsink get"); not run by run.sh.
#   mvn -B -DskipTests package && ENDPOINT=http://... KEY=<a stored dump> [S3_PID=<the S3 server's pid>] \
#     bench/get-profile.sh [ROUNDS]
# Needs the store's credentials in the environment (AWS_ACCESS_KEY_ID, ...) and /usr/bin/time. The first round
# after a new build also creates the launcher's class-data archive (slower): run two rounds or more.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ENDPOINT:?the S3 endpoint}" "${KEY:?a dump the agent stored}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ticks() { if [[ -n ${S3_PID:-} ]]; then awk '{print $14 + $15}' "/proc/$S3_PID/stat"; else echo 0; fi; }
for round in $(seq "${1:-2}"); do
  s0=$(ticks)
  DUMPSINK_TIMINGS=1 /usr/bin/time -f 'process wall=%e s user=%U s sys=%S s peak-rss=%M KiB' \
    bin/dumpsink --endpoint-url "$ENDPOINT" --bucket "${BUCKET:-dumps}" get "$KEY" -o "$out/dump" --quiet 2>&1 \
    | grep -v -e 'cpu=0.00' -e '^Verified'
  s1=$(ticks)
  [[ -n ${S3_PID:-} ]] && echo "S3 server cpu=$(echo "scale=2; ($s1 - $s0) / $(getconf CLK_TCK)" | bc -l) s"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$out/dump"
done
