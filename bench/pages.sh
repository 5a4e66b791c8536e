#!/usr/bin/env bash
# Browse page and list API speed with a full bucket: page times at 1k, 10k and 100k dumps (issue #14).
#   mvn -B -DskipTests package && bench/pages.sh            (bench/run.sh calls it at its end)
# Needs: java, curl. Writes the "## Browse pages" section of bench/RESULTS.md (replacing an earlier one).
# Test data is written straight into the embedded store's folder (bench/PageData.java); ~1.2 GB of small files at
# 100k under $PAGES_WORK (removed at the end). Takes ~5-10 minutes on 2 cores, mostly S3Proxy listing 200k objects.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${PAGES_WORK:-$ROOT/bench/work-pages}
COUNTS=${PAGES_COUNTS:-"1000 10000 100000"}
LOCAL_JAR=$ROOT/local/target/dumpsink-local.jar
PRESIGNER_JAR=$ROOT/presigner/target/dumpsink-presigner.jar
TOKEN=bench-token-0123456789abcdef
for jar in "$LOCAL_JAR" "$PRESIGNER_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar: run 'mvn -B -DskipTests package' first" >&2; exit 1; }
done
log() { printf '[pages %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk '{printf "%.0f", $1 * 1000}'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"

# One timed GET (seconds); fails on a non-200 answer.
get() {
  local out; out=$(curl -s -o "$WORK/body" -w '%{http_code} %{time_total}' "$@")
  [[ ${out%% *} == 200 ]] || { echo "GET $* answered ${out%% *}: $(head -c 300 "$WORK/body")" >&2; exit 1; }
  echo "${out#* }"
}
# First request (manifests not cached yet) and the median of 10 more, in ms.
measure() {
  local first rest; first=$(get "$@" | ms)
  rest=$(for _ in $(seq 10); do get "$@"; done | median | ms)
  echo "$first / $rest"
}

ROWS=""
for N in $COUNTS; do
  D=$WORK/$N; mkdir -p "$D/s3/dumps"
  log "$N dumps: writing test data"
  java -cp "$PRESIGNER_JAR" "$ROOT/bench/PageData.java" "$D/s3" dumps "$N"
  java -cp "$LOCAL_JAR" io.dumpsink.embedded.EmbeddedS3Main "$D/s3" 0 > "$D/s3.out" 2> "$D/s3.err" &
  PIDS+=($!)
  for _ in $(seq 300); do [[ -s $D/s3.out ]] && break; sleep 0.1; done
  ENDPOINT=$(head -1 "$D/s3.out")
  cat > "$D/presigner.conf" <<CONF
dumpsink {
  s3 { endpoint = "$ENDPOINT", bucket = dumps, path-style = true, access-key = dumpsink-local, secret-key = dumpsink-local-secret }
  presigner { port = 0, management-port = 0, access-tokens = [{ id = bench, role = reader, token = "$TOKEN" }] }
}
CONF
  STARTED=$(date +%s.%N)
  java -XX:MaxRAM=512m -Dconfig.file="$D/presigner.conf" -jar "$PRESIGNER_JAR" > "$D/presigner.log" 2>&1 &
  PRESIGNER_PID=$!; PIDS+=($PRESIGNER_PID)
  for _ in $(seq 300); do grep -q "HTTP listening port=" "$D/presigner.log" && break; sleep 0.1; done
  URL="http://127.0.0.1:$(grep -o 'HTTP listening port=[0-9]*' "$D/presigner.log" | cut -d= -f2)"
  log "$N dumps: waiting for the first listing (/readyz)"
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz") == 200 ]]; do
    kill -0 "$PRESIGNER_PID" || { cat "$D/presigner.log"; exit 1; }
    sleep 0.5
  done
  READY=$(echo "$(date +%s.%N) - $STARTED" | bc -l | awk '{printf "%.1f", $1}')
  grep -o 'Dump index: listed.*' "$D/presigner.log" | head -1 >&2
  jcmd "$PRESIGNER_PID" GC.run > /dev/null
  HEAP_KB=$(jcmd "$PRESIGNER_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
  B=(-u "bench:$TOKEN")
  A=(-H "Authorization: Bearer $TOKEN")
  log "$N dumps: timing pages"
  FRONT=$(measure "${B[@]}" "$URL/")
  NS=$(measure "${B[@]}" "$URL/?namespace=team-7")
  POD=$(measure "${B[@]}" "$URL/?namespace=team-7&pod=svc-7-3")
  DAY=$(measure "${B[@]}" "$URL/?from=2026-11-20T00:00&to=2026-11-20T23:59")
  API=$(measure "${A[@]}" "$URL/api/v1/dumps")
  # Ten pages deep through the API's cursor: the cost of a page must not grow with its position.
  CURSOR=""
  for _ in $(seq 10); do
    get "${A[@]}" "$URL/api/v1/dumps?limit=50$CURSOR" > /dev/null
    CURSOR="&cursor=$(grep -o '"next":"[^"]*"' "$WORK/body" | cut -d'"' -f4 || true)"
  done
  DEEP=$(measure "${A[@]}" "$URL/api/v1/dumps?limit=50$CURSOR")
  ROWS+="| $N | $READY s | $((HEAP_KB / 1024)) MiB | $FRONT | $NS | $POD | $DAY | $API | $DEEP |"$'\n'
  log "$N dumps: ready $READY s, heap ${HEAP_KB} KiB, front $FRONT, namespace $NS, pod $POD, day $DAY, api $API, deep $DEEP"
  kill "$PRESIGNER_PID"; kill "${PIDS[-2]}" 2>/dev/null || true; wait 2>/dev/null || true; PIDS=()
  rm -rf "$D"
done

SECTION=$(cat <<MD
## Browse pages

Produced by \`bench/pages.sh\` (also run by \`bench/run.sh\`). Each cell: first request (this page's manifests not
yet cached, read from S3 in parallel) / median of the next 10, in ms, one page of 50 dumps, over loopback with curl.
"ready" is the presigner's start to its first /readyz 200 (JVM start + one listing of the whole bucket, two objects
per dump: S3Proxy's filesystem listing is the slow part); "heap" is the presigner's live heap after a full GC.
Target: every page < 500 ms at 100k dumps. The second figure is the index's own cost; the first adds the page's 50
manifest GETs to S3Proxy, which shares the 2 cores with everything else on the machine (note the load average):
neither grows with the number of dumps.

- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)
- presigner: \`-XX:MaxRAM=512m\`; S3 server: S3Proxy 4.1.0, filesystem backend, same machine
- data: \`bench/PageData.java\`, 20 nodes, 30 namespaces, 600 pods, 30 days

| dumps | ready | heap | front page | namespace filter | namespace + pod | one day | API page | API, page 11 |
|---|---|---|---|---|---|---|---|---|
$ROWS
MD
)
RESULTS=$ROOT/bench/RESULTS.md
touch "$RESULTS"
awk '/^## Browse pages/ {exit} {print}' "$RESULTS" > "$WORK/results.md"
printf '%s\n\n%s\n' "$(cat "$WORK/results.md")" "$SECTION" > "$RESULTS"
log "done: bench/RESULTS.md, section Browse pages"
echo "$SECTION"
rm -rf "$WORK"
