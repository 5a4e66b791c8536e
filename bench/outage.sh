#!/usr/bin/env bash
# The outage target of the durability issue: S3 down for 60 s in the middle of a 2 GiB upload; the upload must
# complete after recovery with the right SHA-256. Run after `mvn -B -DskipTests package`:  bench/outage.sh
# Prints one result line; OUTAGE_SECONDS and SIZE_GIB change the scenario. Uses ~8 GB of disk under bench/work-outage.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work-outage
OUTAGE_SECONDS=${OUTAGE_SECONDS:-60}
SIZE_GIB=${SIZE_GIB:-2}
rm -rf "$WORK"; mkdir -p "$WORK"/{s3,watch/bench/pod,state}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { printf '[outage %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

start_s3() { # $1 = port (0: any)
  java -cp "$ROOT/local/target/dumpsink-local.jar" io.dumpsink.embedded.EmbeddedS3Main "$WORK/s3" "$1" \
    > "$WORK/s3.out" 2>> "$WORK/s3.err" &
  S3_PID=$!; PIDS+=($S3_PID)
  for _ in $(seq 100); do [[ -s $WORK/s3.out ]] && break; sleep 0.1; done
  ENDPOINT=$(head -1 "$WORK/s3.out")
}
log "making ${SIZE_GIB} GiB of random bytes"
head -c "${SIZE_GIB}G" /dev/urandom > "$WORK/input.bin"
EXPECTED=$(sha256sum "$WORK/input.bin" | cut -d' ' -f1)
start_s3 0
PORT=${ENDPOINT##*:}
cat > "$WORK/agent.conf" <<CONF
dumpsink {
  cluster = bench, node = outage
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = dumpsink-local,
       secret-key = dumpsink-local-secret, create-bucket = true }
  agent { watch-dir = "$WORK/watch", state-dir = "$WORK/state", settle-time = 250ms, http-port = 0 }
}
CONF
# shellcheck disable=SC2046
java $("$ROOT/bench/agent-jvm-opts.sh") -Dconfig.file="$WORK/agent.conf" -jar "$ROOT/agent/target/dumpsink-agent.jar" \
  > "$WORK/agent.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do grep -q "Agent started" "$WORK/agent.log" && break; sleep 0.1; done
START=$(date +%s)
mv "$WORK/input.bin" "$WORK/watch/bench/pod/big.dmp" # random bytes: not a heap dump
until grep -q "percent=50" "$WORK/agent.log"; do sleep 0.2; done
log "half uploaded: stopping S3 for ${OUTAGE_SECONDS} s"
kill -9 "$S3_PID"; wait "$S3_PID" 2>/dev/null || true
sleep "$OUTAGE_SECONDS"
: > "$WORK/s3.out"
start_s3 "$PORT"
log "S3 back; waiting for the dump"
until grep -q "Dump stored" "$WORK/agent.log"; do sleep 0.5; done
END=$(date +%s)
STORED=$(grep -o 'Dump stored .*sha256=[0-9a-f]*' "$WORK/agent.log" | grep -o 'sha256=[0-9a-f]*' | cut -d= -f2)
RESUMED=$(grep -c "Upload resumed" "$WORK/agent.log" || true)
ERRORS=$(grep -c "ERROR" "$WORK/agent.log" || true)
echo "size=${SIZE_GIB}GiB outage=${OUTAGE_SECONDS}s total=$((END - START))s sha256_match=$([[ $STORED == "$EXPECTED" ]] && echo yes || echo NO) resumes=$RESUMED error_lines=$ERRORS"
grep -E "S3 unreachable|S3 reachable again|Upload resumed" "$WORK/agent.log" | cut -c1-160
