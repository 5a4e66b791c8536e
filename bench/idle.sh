#!/usr/bin/env bash
# P4: the agent's CPU while nothing happens, with 10,000 files that are not dumps in 500 pod folders.
#   mvn -B -DskipTests package && bench/idle.sh [seconds]
# Prints "<cpu-percent-of-one-core> <cpu-seconds> <seconds>" on stdout; progress on stderr. Measures the agent's
# own CPU time (utime + stime from /proc, so other load on the machine does not count), after a warm-up.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TO_MEASURE=${1:-60}
WORK=${IDLE_WORK:-$ROOT/bench/work-idle}
AGENT_JAR=$ROOT/agent/target/dumpsink-agent.jar
LOCAL_JAR=$ROOT/local/target/dumpsink-local.jar
export AWS_ACCESS_KEY_ID=dumpsink-local AWS_SECRET_ACCESS_KEY=dumpsink-local-secret AWS_DEFAULT_REGION=us-east-1
log() { printf '[idle %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
rm -rf "$WORK"; mkdir -p "$WORK"/{s3,watch,state}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

java -cp "$LOCAL_JAR" io.dumpsink.embedded.EmbeddedS3Main "$WORK/s3" 0 > "$WORK/s3.out" 2> "$WORK/s3.err" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $WORK/s3.out ]] && break; sleep 0.1; done
ENDPOINT=$(head -1 "$WORK/s3.out")

log "10,000 files that are not dumps in 500 pod folders"
for ns in $(seq 1 10); do
  for pod in $(seq 1 50); do
    d="$WORK/watch/ns-$ns/pod-$pod"; mkdir -p "$d"
    for f in $(seq 1 20); do : > "$d/app-$f.log"; done
  done
done

cat > "$WORK/agent.conf" <<CONF
dumpsink {
  cluster = bench
  node = bench-node
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = "$AWS_ACCESS_KEY_ID",
       secret-key = "$AWS_SECRET_ACCESS_KEY", create-bucket = true }
  agent { watch-dir = "$WORK/watch", state-dir = "$WORK/state", http-port = 0 }
}
CONF
: > "$WORK/agent.log" # exists before the first grep below, whatever the agent's start takes
# shellcheck disable=SC2046
java $("$(dirname "$0")/agent-jvm-opts.sh") -Dconfig.file="$WORK/agent.conf" -jar "$AGENT_JAR" > "$WORK/agent.log" 2>&1 &
AGENT_PID=$!; PIDS+=($AGENT_PID)
for _ in $(seq 300); do grep -q "Agent started" "$WORK/agent.log" && break; sleep 0.1; done
grep -q "Agent started" "$WORK/agent.log" || { cat "$WORK/agent.log" >&2; exit 1; }
WARMUP=${IDLE_WARMUP:-60}
log "agent started; ${WARMUP} s warm-up (startup sweep, JIT compilation of the rescan)"
sleep "$WARMUP"
ticks() { awk '{print $14 + $15}' "/proc/$AGENT_PID/stat"; }
HZ=$(getconf CLK_TCK)
[[ -n ${IDLE_THREADS:-} ]] && /tmp/threadcpu.sh $AGENT_PID $SECONDS_TO_MEASURE >&2
before=$(ticks); start=$(date +%s.%N)
for ((i = 0; i < SECONDS_TO_MEASURE; i += 10)); do sleep 10; log "measuring: $((i + 10)) / $SECONDS_TO_MEASURE s"; done
after=$(ticks); end=$(date +%s.%N)
echo "$before $after $start $end $HZ" | awk '{cpu = ($2 - $1) / $5; wall = $4 - $3; printf "%.3f %.2f %.1f\n", 100 * cpu / wall, cpu, wall}'
