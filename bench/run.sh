#!/usr/bin/env bash
# dumpsink benchmark: the agent against the tools an operator would script instead, same machine, same S3 server.
#   mvn -B -DskipTests package && bench/run.sh
# Needs: java, bc, /usr/bin/time (GNU time); optional contenders: aws (AWS CLI), zstd; load generator: wrk (else
# bench/LinkLoad.java). `dumpsink get` is measured by bench/get.sh against `aws s3 cp - | zstd -d`.
# A missing contender is skipped and reported. Debian: apt-get install awscli zstd wrk bc
# Writes bench/RESULTS.md (then bench/pages.sh adds the browse pages' section). Takes ~15 minutes on 2 cores; uses ~25 GB of disk under bench/work (removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${BENCH_WORK:-$ROOT/bench/work}
ROUNDS=${BENCH_ROUNDS:-3}
BIG_GIB=${BENCH_BIG_GIB:-8}
AGENT_JAR=$ROOT/agent/target/dumpsink-agent.jar
LOCAL_JAR=$ROOT/local/target/dumpsink-local.jar
PRESIGNER_JAR=$ROOT/presigner/target/dumpsink-presigner.jar
CLI_JAR=$ROOT/cli/target/dumpsink-cli.jar
for jar in "$AGENT_JAR" "$LOCAL_JAR" "$PRESIGNER_JAR" "$CLI_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar: run 'mvn -B -DskipTests package' first" >&2; exit 1; }
done
export AWS_ACCESS_KEY_ID=dumpsink-local AWS_SECRET_ACCESS_KEY=dumpsink-local-secret AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE || true

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rm -rf "$WORK"; mkdir -p "$WORK"/{inputs,staging,s3,watch,state}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- inputs -----------------------------------------------------------------------------------------------
log "making a real JVM heap dump (-Xmx1g, ~1.5 GB, ~30 s)"
java -Xmx1g -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="$WORK/inputs/" "$ROOT/bench/HeapFiller.java" \
  >/dev/null 2>&1 || true
HEAP=$(ls "$WORK"/inputs/*.hprof)
mv "$HEAP" "$WORK/inputs/heap.hprof"; HEAP=$WORK/inputs/heap.hprof
log "heap dump: $(stat -c %s "$HEAP") bytes"
log "making 1 GiB of random bytes"
head -c 1G /dev/urandom > "$WORK/inputs/random-1g.bin"

# --- S3 server ------------------------------------------------------------------------------------------------
java -cp "$LOCAL_JAR" io.dumpsink.embedded.EmbeddedS3Main "$WORK/s3" 0 > "$WORK/s3.out" 2> "$WORK/s3.err" &
S3_PID=$!; PIDS+=($S3_PID)
for _ in $(seq 100); do [[ -s $WORK/s3.out ]] && break; sleep 0.1; done
ENDPOINT=$(head -1 "$WORK/s3.out")
log "S3Proxy at $ENDPOINT"
export ENDPOINT WORK ROUNDS   # for bench/get.sh

HAVE_AWS=no; command -v aws >/dev/null && HAVE_AWS=yes
HAVE_ZSTD=no; command -v zstd >/dev/null && HAVE_ZSTD=yes
AWS_VERSION=$( [[ $HAVE_AWS == yes ]] && aws --version 2>&1 | head -1 || echo "not installed")
ZSTD_VERSION=$( [[ $HAVE_ZSTD == yes ]] && zstd --version 2>&1 | head -1 || echo "not installed")
if [[ $HAVE_AWS == yes ]]; then
  aws --endpoint-url "$ENDPOINT" s3 mb s3://bench >/dev/null
fi

# --- the agent ------------------------------------------------------------------------------------------------
start_agent() { # $1 = name of this agent run, $2 = agent.heap-summary (default true)
  cat > "$WORK/agent.conf" <<CONF
dumpsink {
  cluster = bench
  node = bench-node
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = "$AWS_ACCESS_KEY_ID",
       secret-key = "$AWS_SECRET_ACCESS_KEY", create-bucket = true }
  agent { watch-dir = "$WORK/watch", state-dir = "$WORK/state", settle-time = 250ms, http-port = 0 }
  agent.heap-summary = ${2:-true}
}
CONF
  AGENT_LOG=$WORK/agent-$1.log
  : > "$AGENT_LOG" # exists before the agent's shell opens it, so that the exec below never races it
  # shellcheck disable=SC2086
  java $AGENT_JVM_OPTS -Dconfig.file="$WORK/agent.conf" -jar "$AGENT_JAR" > "$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  PIDS+=($AGENT_PID)
  # Kept open for run_dumpsink, which reads the agent's lines as they come (bash's read: no process per look).
  exec {AGENT_FD}<"$AGENT_LOG"
  for _ in $(seq 300); do grep -q "Agent started" "$AGENT_LOG" && return; sleep 0.1; done
  echo "agent did not start:"; cat "$AGENT_LOG"; exit 1
}
stop_agent() { kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; exec {AGENT_FD}<&-; }
agent_hwm_mib() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$AGENT_PID/status"; }

# CPU time from /proc (user + system, in clock ticks): what a process itself spent, whatever else the machine does.
HZ=$(getconf CLK_TCK)
AGENT_JVM_OPTS=$("$ROOT/bench/agent-jvm-opts.sh")
SETTLE_SECONDS=0.25
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
seconds_of_ticks() { echo "scale=2; $1 / $HZ" | bc -l; }

# Each run prints "wall-seconds contender-cpu-seconds s3-server-cpu-seconds" (dumpsink: and a fourth field, below).
# Drops a copy of $1 into the watch dir (a rename, so the agent sees a complete file) and times until the agent
# logs "Dump verified" for it: object and manifest verified in the bucket, issue #15's end of P1 and the moment the
# dump is safe. The configured settle time (250 ms, which the agent waits by design before it starts) is taken
# off the wall time; any detection latency beyond it is counted. The fourth field is how much later the local file
# was gone (its name unlinked; the kernel frees its blocks within that unlink call, 0.2-0.3 s for 1.3 GB here,
# which the agent's "Dump stored" line includes), which the pipes never do: reported as its own row.
run_dumpsink() {
  local input=$1 name=$2
  mkdir -p "$WORK/watch/bench/pod"
  cp "$input" "$WORK/staging/$name"
  sync
  local start agent0 s30 line rest=""; start=$(now); agent0=$(ticks "$AGENT_PID"); s30=$(ticks "$S3_PID")
  mv "$WORK/staging/$name" "$WORK/watch/bench/pod/$name"
  while :; do
    if IFS= read -r -u "$AGENT_FD" line; then
      line=$rest$line; rest=""
      [[ $line == *"Dump verified path=bench/pod/$name "* ]] && break
    else
      rest+=$line; sleep 0.02 # at the log's end (maybe mid-line): wait for more
    fi
  done
  local verified agent1 s31; verified=$(now); agent1=$(ticks "$AGENT_PID"); s31=$(ticks "$S3_PID")
  # The agent first claims the file (moves it into its claim folder), then deletes it there. Globs, not find: a
  # process started every 20 ms would cost the 2 cores the contenders share.
  local claimed=("$WORK"/watch/.dumpsink-claimed/*/bench/pod/"$name")
  while [[ -e $WORK/watch/bench/pod/$name || -e ${claimed[0]} ]]; do
    sleep 0.02
    claimed=("$WORK"/watch/.dumpsink-claimed/*/bench/pod/"$name")
  done
  echo "$(echo "$verified - $start - $SETTLE_SECONDS" | bc -l) $(seconds_of_ticks $(( agent1 - agent0 ))) \
$(seconds_of_ticks $(( s31 - s30 ))) $(echo "$(now) - $verified" | bc -l)"
}
# A pipeline's CPU: the user + system time of a shell's waited-for children (/proc fields 16 and 17), read by that
# shell after the pipeline ended.
run_pipeline() { # $1 = the pipeline, as a bash -c script with $1 = input, $2 = endpoint, $3 = destination
  local script=$1; shift
  local start s30 kids; start=$(now); s30=$(ticks "$S3_PID")
  kids=$(bash -c "$script"'; awk "{print \$16 + \$17}" /proc/$$/stat' _ "$@")
  echo "$(echo "$(now) - $start" | bc -l) $(seconds_of_ticks "$kids") $(seconds_of_ticks $(( $(ticks "$S3_PID") - s30 )))"
}
run_aws_cp() {
  run_pipeline 'aws --endpoint-url "$2" s3 cp "$1" "$3" --only-show-errors' "$1" "$ENDPOINT" "s3://bench/$2"
}
run_zstd_aws() {
  run_pipeline 'zstd -1 -T0 -q -c "$1" | aws --endpoint-url "$2" s3 cp - "$3" --only-show-errors' \
    "$1" "$ENDPOINT" "s3://bench/$2.zst"
}
# record INPUT CONTENDER "wall cpu s3cpu [freed]": appends to T (wall), C (contender CPU), S (S3 server CPU) and
# F (dumpsink: seconds from verified to the local file deleted).
record() {
  local wall cpu s3 freed; read -r wall cpu s3 freed <<< "$3"
  T[$1,$2]+="$wall "; C[$1,$2]+="$cpu "; S[$1,$2]+="$s3 "; F[$1,$2]+="${freed:-} "
}

declare -A T C S F
start_agent main
for round in $(seq "$ROUNDS"); do
  for input in heap random; do
    file=$HEAP; [[ $input == random ]] && file=$WORK/inputs/random-1g.bin
    log "round $round/$ROUNDS $input: dumpsink"
    # Random bytes are no heap dump: named .dmp, they settle on size and mtime alone (an .hprof would wait for
    # its HEAP DUMP END record until incomplete-wait).
    ext=hprof; [[ $input == random ]] && ext=dmp
    record "$input" dumpsink "$(run_dumpsink "$file" "$input-$round.$ext")"
    if [[ $HAVE_AWS == yes ]]; then
      log "round $round/$ROUNDS $input: aws s3 cp"
      record "$input" aws "$(run_aws_cp "$file" "$input-$round")"
    fi
    if [[ $HAVE_AWS == yes && $HAVE_ZSTD == yes ]]; then
      log "round $round/$ROUNDS $input: zstd -1 -T0 | aws s3 cp -"
      record "$input" zstd_aws "$(run_zstd_aws "$file" "$input-$round")"
    fi
  done
done
stop_agent

# --- dumpsink get: the CLI against `aws s3 cp - | zstd -d` on the heap dump the agent stored (bench/get.sh) --------
stored_key() { # $1 = agent log, $2 = file name: the key the agent stored it under
  grep -o "Dump stored path=[^ ]*/$2 location=[^ ]* key=[^ ]*" "$1" | head -1 | sed 's/.*key=//'
}
"$ROOT/bench/get.sh" speed "$(stored_key "$WORK/agent-main.log" heap-1.hprof)" "$HEAP"

# --- heap summary: the HPROF reader alone, and the heap dump shipped with the summary on and off ------------------
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"
log "heap summary: the reader alone on the heap dump, pinned to one core, 3 rounds"
$PIN java -cp "$AGENT_JAR" io.dumpsink.agent.triage.HeapHistogramTool "$HEAP" 3 > "$WORK/reader.out"
READER_FIRST=$(awk '/^round=1 / {for (i = 1; i <= NF; i++) if ($i ~ /^readerMBps=/) {sub(/readerMBps=/, "", $i); print $i}}' "$WORK/reader.out")
READER_BEST=$(awk '/^round=/ {for (i = 1; i <= NF; i++) if ($i ~ /^readerMBps=/) {sub(/readerMBps=/, "", $i); if ($i + 0 > m + 0) m = $i}} END {print m}' "$WORK/reader.out")
READER_TOP=$(grep -m1 -E '^ +[0-9]+ +[0-9]+ ' "$WORK/reader.out" | awk '{print $4, $3}')
for round in $(seq "$ROUNDS"); do
  for mode in on off; do
    # A fresh agent per run, alternating, so both settings meet the same machine and the same cold JIT.
    log "round $round/$ROUNDS heap dump, heap summary $mode"
    setting=true; [[ $mode == off ]] && setting=false
    start_agent "summary-$mode-$round" "$setting"
    record heap "summary_$mode" "$(run_dumpsink "$HEAP" "summary-$mode-$round.hprof")"
    stop_agent
  done
done

# --- presigner: link requests per second against the same S3Proxy ------------------------------------------------
LINK_KEY=$(grep -o 'Dump stored path=[^ ]* location=[^ ]* key=[^ ]*' "$WORK/agent-main.log" | head -1 | sed 's/.*key=//')
LINK_TOKEN=bench-token-0123456789abcdef
cat > "$WORK/presigner.conf" <<CONF
dumpsink {
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = "$AWS_ACCESS_KEY_ID",
       secret-key = "$AWS_SECRET_ACCESS_KEY" }
  presigner { port = 0, management-port = 0, access-tokens = [{ id = bench, role = reader, token = "$LINK_TOKEN" }] }
}
CONF
java -XX:MaxRAM=512m -Dconfig.file="$WORK/presigner.conf" -jar "$PRESIGNER_JAR" > "$WORK/presigner.log" 2>&1 &
PRESIGNER_PID=$!; PIDS+=($PRESIGNER_PID)
for _ in $(seq 300); do grep -q "Presigner started" "$WORK/presigner.log" && break; sleep 0.1; done
PRESIGNER_URL="http://127.0.0.1:$(grep -o 'HTTP listening port=[0-9]*' "$WORK/presigner.log" | cut -d= -f2)"
curl -sf -o /dev/null -H "Authorization: Bearer $LINK_TOKEN" -d "{\"key\":\"$LINK_KEY\"}" "$PRESIGNER_URL/api/v1/links" \
  || { echo "presigner did not answer:"; cat "$WORK/presigner.log"; exit 1; }
if command -v wrk >/dev/null; then
  LOAD_TOOL="wrk -t2 -c32 -d15s --latency (after a 5 s warm-up run)"
  log "presigner: wrk warm-up, then 15 s of POST /api/v1/links with 32 connections"
  BENCH_TOKEN=$LINK_TOKEN BENCH_KEY=$LINK_KEY wrk -t2 -c32 -d5s -s "$ROOT/bench/links.lua" "$PRESIGNER_URL/api/v1/links" >/dev/null
  BENCH_TOKEN=$LINK_TOKEN BENCH_KEY=$LINK_KEY wrk -t2 -c32 -d15s --latency -s "$ROOT/bench/links.lua" \
    "$PRESIGNER_URL/api/v1/links" > "$WORK/wrk.out"
  LINK_RPS=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/wrk.out")
  LINK_P99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}' "$WORK/wrk.out")
  LINK_ERRORS=$(grep -c "Non-2xx" "$WORK/wrk.out" || true)
else
  LOAD_TOOL="bench/LinkLoad.java, 32 connections, 15 s after 2 s warm-up (wrk not installed)"
  log "presigner: 15 s of POST /api/v1/links with 32 connections (java load client; wrk not installed)"
  OUT=$(java "$ROOT/bench/LinkLoad.java" "$PRESIGNER_URL" "$LINK_TOKEN" "$LINK_KEY" 32 15)
  LINK_RPS=$(echo "$OUT" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
  LINK_P99=$(echo "$OUT" | grep -o 'p99ms=[0-9.]*' | cut -d= -f2)
  LINK_ERRORS=$(echo "$OUT" | grep -o 'errors=[0-9]*' | cut -d= -f2)
fi
kill "$PRESIGNER_PID"; wait "$PRESIGNER_PID" 2>/dev/null || true

# Peak RSS: a fresh agent per size, so each VmHWM belongs to one upload.
log "peak RSS: 1 GiB random"
start_agent rss1
run_dumpsink "$WORK/inputs/random-1g.bin" rss-1g.dmp >/dev/null
RSS_1G=$(agent_hwm_mib); stop_agent
"$ROOT/bench/get.sh" rss "$(stored_key "$WORK/agent-rss1.log" rss-1g.dmp)" "1GiB"
log "peak RSS: ${BIG_GIB} GiB random (making the input)"
head -c "${BIG_GIB}G" /dev/urandom > "$WORK/inputs/random-big.bin"
rm -rf "$WORK/s3/dumps"/* 2>/dev/null || true
start_agent rssbig
BIG_SECONDS=$(run_dumpsink "$WORK/inputs/random-big.bin" rss-big.dmp | cut -d" " -f1)
RSS_BIG=$(agent_hwm_mib); stop_agent
"$ROOT/bench/get.sh" rss "$(stored_key "$WORK/agent-rssbig.log" rss-big.dmp)" "${BIG_GIB}GiB"
rm -f "$WORK/inputs/random-big.bin"

# --- idle: 10,000 files that are not dumps in 500 pod folders, the shipped rescan interval ---------------------
log "idle agent (P4): 60 s warm-up, then 60 s measured"
IDLE=$(IDLE_WORK="$WORK/idle" "$ROOT/bench/idle.sh" 60)
IDLE_PERCENT=$(echo "$IDLE" | cut -d' ' -f1)

# --- results --------------------------------------------------------------------------------------------------
med() { echo "${T[$1]:-}" | tr ' ' '\n' | grep -v '^$' | median; }
medc() { echo "${C[$1]:-}" | tr ' ' '\n' | grep -v '^$' | median; }
meds() { echo "${S[$1]:-}" | tr ' ' '\n' | grep -v '^$' | median; }
medf() { echo "${F[$1]:-}" | tr ' ' '\n' | grep -v '^$' | median; }
ratio() { [[ -n $1 && -n $2 ]] && echo "scale=3; $1 / $2" | bc -l || echo "n/a"; }
fmt() { [[ -n $1 ]] && printf '%.2f' "$1" || echo "skipped"; }
verdict() { # value op target
  [[ $1 == n/a ]] && { echo "not measured"; return; }
  if (( $(echo "$1 $2 $3" | bc -l) )); then echo "met"; else echo "MISSED"; fi
}
HEAP_D=$(med heap,dumpsink); HEAP_A=$(med heap,aws); HEAP_Z=$(med heap,zstd_aws)
RAND_D=$(med random,dumpsink); RAND_A=$(med random,aws); RAND_Z=$(med random,zstd_aws)
FASTEST_RAND=$(printf '%s\n' $RAND_A $RAND_Z | grep -v '^$' | sort -g | head -1)
R_HZ=$(ratio "$HEAP_D" "$HEAP_Z"); R_HA=$(ratio "$HEAP_D" "$HEAP_A"); R_RF=$(ratio "$RAND_D" "$FASTEST_RAND")
SUMMARY_ON=$(med heap,summary_on); SUMMARY_OFF=$(med heap,summary_off); R_SUMMARY=$(ratio "$SUMMARY_ON" "$SUMMARY_OFF")
HEAP_DC=$(medc heap,dumpsink); HEAP_ZC=$(medc heap,zstd_aws); R_HZC=$(ratio "$HEAP_DC" "$HEAP_ZC")
HEAP_DS=$(meds heap,dumpsink)
# The bound this machine sets: the agent and the S3 server share its cores, so the run cannot take less wall time
# than their CPU-seconds spread over every core.
HEAP_BOUND=$( [[ -n $HEAP_DC && -n $HEAP_DS ]] && echo "scale=2; ($HEAP_DC + $HEAP_DS) / $(nproc)" | bc -l || echo "")
HEAP_STORED=$(grep -o 'storedSize=[0-9]*' "$WORK/agent-main.log" | head -1 | cut -d= -f2)
HEAP_SIZE=$(stat -c %s "$HEAP")

cat > "$ROOT/bench/RESULTS.md" <<MD
# dumpsink benchmark results

Produced by \`bench/run.sh\` — do not edit by hand; rerun it. Times are seconds from dropping the file to the
upload being done (dumpsink: its "Dump verified" line, when the object and its manifest are stored and verified by
listing, issue #15's end of P1; the configured 250 ms settle time, which the agent waits by design, is taken off;
the local file's deletion comes after, in its own row: the pipes never free the disk). CPU-seconds are user +
system time from /proc of the agent process over the same span, or of every process of a pipe; the S3 server's CPU
is counted in neither. Median of $ROUNDS interleaved rounds. Compare ratios, not seconds: the machine is shared and S3Proxy
(on the same 2 cores) bounds raw throughput.

- date: $(date -u +%Y-%m-%dT%H:%MZ)
- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM
- JDK: $(java -version 2>&1 | head -1)
- agent JVM: \`$AGENT_JVM_OPTS\` (a 256 MiB container's memory and the chart's \`agent.javaOpts\`, \`bench/agent-jvm-opts.sh\`)
- S3 server: S3Proxy 4.1.0, filesystem backend, same machine
- AWS CLI: $AWS_VERSION
- zstd: $ZSTD_VERSION
- heap dump: $HEAP_SIZE bytes (HeapFiller, -Xmx1g); dumpsink stored it in ${HEAP_STORED:-?} bytes

| input | dumpsink | \`aws s3 cp\` | \`zstd -1 -T0 \| aws s3 cp -\` |
|---|---|---|---|
| heap dump | $(fmt "$HEAP_D") | $(fmt "$HEAP_A") | $(fmt "$HEAP_Z") |
| 1 GiB random | $(fmt "$RAND_D") | $(fmt "$RAND_A") | $(fmt "$RAND_Z") |
| heap dump, CPU-seconds | $(fmt "$HEAP_DC") | $(fmt "$(medc heap,aws)") | $(fmt "$HEAP_ZC") |
| heap dump, S3 server CPU-seconds | $(fmt "$HEAP_DS") | $(fmt "$(meds heap,aws)") | $(fmt "$(meds heap,zstd_aws)") |
| heap dump, then the local file gone (its name unlinked) after | $(fmt "$(medf heap,dumpsink)") | — | — |

| target | measured | verdict |
|---|---|---|
| P1 heap dump wall time ≤ 0.8 × \`zstd \| aws\` | $R_HZ × | $(verdict "$R_HZ" '<=' 0.8) |
| P1 heap dump CPU-seconds ≤ 0.8 × \`zstd \| aws\` | $R_HZC × | $(verdict "$R_HZC" '<=' 0.8) |
| P1 bound: (agent + S3 server CPU) / $(nproc) cores | $(fmt "$HEAP_BOUND") s; agent wall $(fmt "$HEAP_D") s = $(ratio "$HEAP_D" "$HEAP_BOUND") × the bound | — |
| heap dump ≤ 0.25 × \`aws s3 cp\` | $R_HA × | $(verdict "$R_HA" '<=' 0.25) |
| P2 1 GiB random ≤ 0.9 × fastest contender | $R_RF × | $(verdict "$R_RF" '<=' 0.9) |
| agent peak RSS ≤ 200 MiB (1 GiB random) | $RSS_1G MiB | $(verdict "$RSS_1G" '<=' 200) |
| agent peak RSS ≤ 200 MiB (${BIG_GIB} GiB random, $(printf '%.0f' "$BIG_SECONDS") s) | $RSS_BIG MiB | $(verdict "$RSS_BIG" '<=' 200) |
| RSS ${BIG_GIB} GiB ≈ 1 GiB | $(ratio "$RSS_BIG" "$RSS_1G") × | $(verdict "$(ratio "$RSS_BIG" "$RSS_1G")" '<=' 1.10) |
| P4 idle agent, 10,000 other files in 500 pod folders, < 0.5 % of one core | $IDLE_PERCENT % | $(verdict "$IDLE_PERCENT" '<' 0.5) |
| heap summary: reader alone ≥ 1000 MB/s (one core; best of 3, first round ${READER_FIRST:-?}) | ${READER_BEST:-n/a} MB/s | $(verdict "${READER_BEST:-n/a}" '>=' 1000) |
| heap dump with heap summary ≤ 1.05 × without ($(fmt "$SUMMARY_ON") s / $(fmt "$SUMMARY_OFF") s) | $R_SUMMARY × | $(verdict "$R_SUMMARY" '<=' 1.05) |
| P5 presigner ≥ 10k links/s | $LINK_RPS /s | $(verdict "${LINK_RPS:-n/a}" '>=' 10000) |
| P5 presigner p99 < 10 ms | $LINK_P99 ms | $(verdict "${LINK_P99:-n/a}" '<' 10) |

Presigner: \`POST /api/v1/links\` for one existing dump, load from $LOAD_TOOL on the same 2 cores as the
presigner (\`-XX:MaxRAM=512m\`) and S3Proxy; non-2xx/errors: ${LINK_ERRORS:-0}.

Raw times (s): heap dumpsink [${T[heap,dumpsink]:-}] aws [${T[heap,aws]:-}] zstd+aws [${T[heap,zstd_aws]:-}];
random dumpsink [${T[random,dumpsink]:-}] aws [${T[random,aws]:-}] zstd+aws [${T[random,zstd_aws]:-}].

Heap summary (\`agent.heap-summary\`): the reader alone is \`HeapHistogramTool\` on the heap dump (time in the
reader only, file reads excluded; its top class: ${READER_TOP:-?}); on/off are the heap dump shipped by a fresh
agent per run, alternating, median of $ROUNDS: on [${T[heap,summary_on]:-}] off [${T[heap,summary_off]:-}].
CPU-seconds: heap dumpsink [${C[heap,dumpsink]:-}] zstd+aws [${C[heap,zstd_aws]:-}]; random dumpsink [${C[random,dumpsink]:-}]
aws [${C[random,aws]:-}] zstd+aws [${C[random,zstd_aws]:-}].

Idle (P4, \`bench/idle.sh\`): the agent's own CPU time over 60 s, after a 60 s warm-up (the startup sweep and the
JIT compilation of the rescan, about 0.5 % of a core in the first minute, are not idle), with 10,000 files that are
not dumps in 500 pod folders and the shipped rescan interval (30 s; the full rescan every 10 min is outside the
window): $IDLE (percent of one core, CPU-seconds, seconds).
MD
[[ $HAVE_AWS == yes ]] || echo "- skipped: aws s3 cp and zstd | aws (AWS CLI not installed)" >> "$ROOT/bench/RESULTS.md"
[[ $HAVE_ZSTD == yes ]] || echo "- skipped: zstd | aws (zstd not installed)" >> "$ROOT/bench/RESULTS.md"
"$ROOT/bench/get.sh" summary
cat >> "$ROOT/bench/RESULTS.md" <<MD

## Fetching a dump: \`dumpsink get\` (bench/get.sh)

Seconds from start to a verified file (dumpsink: parallel ranged GETs over the seek table, frames decompressed in
parallel, SHA-256 checked, \`.part\` renamed) against \`aws s3 cp s3://dumps/KEY - | zstd -d > x.hprof\` (no
check), the heap dump above as the agent stored it, median of $ROUNDS interleaved rounds, same S3Proxy. Peak RSS:
GNU time's maximum resident set size of \`bin/dumpsink get\` (its default JVM options) for the random inputs above.

| target | measured | verdict |
|---|---|---|
$(cat "$WORK/get-rows.md" 2>/dev/null)

$(cat "$WORK/get-raw.txt" 2>/dev/null)
MD
# Browse page and list API with a full bucket (1k, 10k, 100k dumps): appends its own section to RESULTS.md.
log "browse pages: bench/pages.sh"
"$ROOT/bench/pages.sh" > /dev/null || log "bench/pages.sh failed; RESULTS.md has no browse pages section"
log "done: bench/RESULTS.md"
cat "$ROOT/bench/RESULTS.md"
rm -rf "$WORK"
