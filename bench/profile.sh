#!/usr/bin/env bash
# Profiles the agent shipping one heap dump (P1): JFR CPU samples and per-thread CPU time.
#   mvn -B -DskipTests package && [WARMUP=N] bench/profile.sh HEAP.hprof [OUT-DIR]
# WARMUP=N (default 0) ships the dump N times before the measured upload: 0 profiles a fresh agent's first dump
# (the JIT compiles while it uploads), 2 or more the steady state of a long-running agent.
# Writes OUT-DIR/agent.jfr, OUT-DIR/threads.txt (CPU-seconds per agent thread during the upload) and
# OUT-DIR/hot.txt (top frames of the CPU samples). Progress on stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HEAP=$(realpath "$1"); OUT=$(realpath -m "${2:-$ROOT/bench/profile}")
WORK=$OUT/work
AGENT_JAR=$ROOT/agent/target/dumpsink-agent.jar
LOCAL_JAR=$ROOT/local/target/dumpsink-local.jar
export AWS_ACCESS_KEY_ID=dumpsink-local AWS_SECRET_ACCESS_KEY=dumpsink-local-secret AWS_DEFAULT_REGION=us-east-1
log() { printf '[profile %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
rm -rf "$WORK"; mkdir -p "$WORK"/{s3,watch,state,staging}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
java -cp "$LOCAL_JAR" io.dumpsink.embedded.EmbeddedS3Main "$WORK/s3" 0 > "$WORK/s3.out" 2> "$WORK/s3.err" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $WORK/s3.out ]] && break; sleep 0.1; done
ENDPOINT=$(head -1 "$WORK/s3.out")
cat > "$WORK/agent.conf" <<CONF
dumpsink {
  cluster = bench
  node = bench-node
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = "$AWS_ACCESS_KEY_ID",
       secret-key = "$AWS_SECRET_ACCESS_KEY", create-bucket = true }
  agent { watch-dir = "$WORK/watch", state-dir = "$WORK/state", settle-time = 250ms, http-port = 0 }
}
CONF
# shellcheck disable=SC2046
java $("$ROOT/bench/agent-jvm-opts.sh") -XX:StartFlightRecording=filename="$OUT/agent.jfr",settings=profile,dumponexit=true \
  -Dconfig.file="$WORK/agent.conf" -jar "$AGENT_JAR" > "$WORK/agent.log" 2>&1 &
AGENT_PID=$!; PIDS+=($AGENT_PID)
for _ in $(seq 300); do grep -q "Agent started" "$WORK/agent.log" && break; sleep 0.1; done
threads() { for t in /proc/$AGENT_PID/task/*; do printf '%s %s %s\n' "${t##*/}" "$(awk '{print $14 + $15}' "$t/stat")" \
  "$(tr ' ' '_' < "$t/comm")"; done | sort; }
mkdir -p "$WORK/watch/bench/pod"
ship() { # $1: the upload's number, counted from 1
  cp "$HEAP" "$WORK/staging/heap.hprof"; sync
  [[ $1 -gt ${WARMUP:-0} ]] && { threads > "$WORK/t0"; start=$(date +%s.%N); }
  mv "$WORK/staging/heap.hprof" "$WORK/watch/bench/pod/heap-$1.hprof"; log "moved into the watch dir: upload $1"
  log "upload $1 of $((${WARMUP:-0} + 1)): $(stat -c %s "$HEAP") bytes"
  until [[ $(grep -c "Dump stored" "$WORK/agent.log") -ge $1 ]]; do sleep 0.05; done
}
for i in $(seq $((${WARMUP:-0} + 1))); do ship "$i"; done
end=$(date +%s.%N); threads > "$WORK/t1"
HZ=$(getconf CLK_TCK)
{ echo "wall (incl. 250 ms settle): $(echo "$end - $start" | bc -l) s"
  # Threads started during the upload (compression, S3 I/O) are not in the first snapshot: count them from zero.
  awk -v hz="$HZ" 'FNR == NR {before[$1] = $2; next} {d = $2 - before[$1]; if (d > 0) {t[$3] += d; all += d}}
    END {for (n in t) printf "%8.2f s  %s\n", t[n] / hz, n; printf "%8.2f s  all threads\n", all / hz}' \
    "$WORK/t0" "$WORK/t1" | sort -rn
} > "$OUT/threads.txt"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; cp "$WORK/agent.log" "$OUT/agent.log"
jfr print --events jdk.ExecutionSample "$OUT/agent.jfr" | awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); print}' \
  | sort | uniq -c | sort -rn | head -40 > "$OUT/hot.txt"
cat "$OUT/threads.txt" "$OUT/hot.txt"
