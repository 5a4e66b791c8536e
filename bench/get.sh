#!/usr/bin/env bash
# The `dumpsink get` step of bench/run.sh: the CLI against the pipe people type today, on dumps the agent stored.
#   bench/get.sh speed KEY ORIGINAL   `dumpsink get` (verified) vs `aws s3 cp s3://dumps/KEY - | zstd -d > x.hprof`
#                                      (unverified), interleaved rounds, median; the output checked against ORIGINAL
#   bench/get.sh rss KEY LABEL        peak RSS of `dumpsink get KEY` (GNU time's max resident set size)
# Needs from run.sh's environment: ENDPOINT (the S3 server), WORK (scratch folder), AWS_* credentials; optional
# ROUNDS. Appends table rows to $WORK/get-rows.md, which run.sh adds to bench/RESULTS.md. Needs /usr/bin/time;
# the aws contender needs the AWS CLI and zstd (skipped and reported without them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
: "${ENDPOINT:?set by bench/run.sh}" "${WORK:?set by bench/run.sh}"
ROUNDS=${ROUNDS:-3}
CLI="$ROOT/bin/dumpsink"
ROWS=$WORK/get-rows.md
OUT=$WORK/get-out
mkdir -p "$OUT"
log() { printf '[bench-get %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cli() { "$CLI" --endpoint-url "$ENDPOINT" --bucket dumps "$@"; }

# bin/dumpsink's first run after a build writes its class-data archive (~1.5 s more, once per jar and JVM, as for any
# user's first command): done here, unmeasured, so that every measured run is the steady state a user sees.
"$CLI" --version > /dev/null

case ${1:-} in
  speed)
    key=$2 original=$3
    expected=$(stat -c %s "$original")
    have_aws=no; command -v aws >/dev/null && command -v zstd >/dev/null && have_aws=yes
    d_times=() a_times=()
    for round in $(seq "$ROUNDS"); do
      rm -f "$OUT"/*; sync
      log "round $round/$ROUNDS: dumpsink get (verified)"
      start=$(now)
      cli get "$key" -o "$OUT/cli.hprof" --quiet 2>> "$WORK/get.log"
      d_times+=("$(echo "$(now) - $start" | bc -l)")
      cmp -s "$OUT/cli.hprof" "$original" || { echo "dumpsink get wrote something else than the dump" >&2; exit 1; }
      rm -f "$OUT"/*; sync
      if [[ $have_aws == yes ]]; then
        log "round $round/$ROUNDS: aws s3 cp - | zstd -d (unverified)"
        start=$(now)
        aws --endpoint-url "$ENDPOINT" s3 cp "s3://dumps/$key" - | zstd -d -q > "$OUT/aws.hprof"
        a_times+=("$(echo "$(now) - $start" | bc -l)")
        [[ $(stat -c %s "$OUT/aws.hprof") == "$expected" ]] || { echo "aws | zstd wrote a wrong size" >&2; exit 1; }
      fi
    done
    rm -f "$OUT"/*
    d=$(printf '%s\n' "${d_times[@]}" | median)
    if [[ $have_aws == yes ]]; then
      a=$(printf '%s\n' "${a_times[@]}" | median)
      ratio=$(echo "scale=3; $d / $a" | bc -l)
      verdict=$( (( $(echo "$ratio <= 0.6" | bc -l) )) && echo met || echo MISSED)
      printf '| `dumpsink get` (verified) ≤ 0.6 × `aws s3 cp - \\| zstd -d` (%s bytes; %.2f s vs %.2f s) | %s × | %s |\n' \
        "$expected" "$d" "$a" "$ratio" "$verdict" >> "$ROWS"
    else
      printf '| `dumpsink get` (verified) of %s bytes | %.2f s | aws contender skipped (AWS CLI or zstd missing) |\n' \
        "$expected" "$d" >> "$ROWS"
    fi
    echo "GET_RAW=dumpsink [${d_times[*]}] aws|zstd [${a_times[*]:-}]" >> "$WORK/get-raw.txt"
    ;;
  rss)
    key=$2 label=$3
    rm -f "$OUT"/*; sync
    log "peak RSS of dumpsink get: $label"
    /usr/bin/time -f '%M' -o "$WORK/get-rss.txt" "$CLI" --endpoint-url "$ENDPOINT" --bucket dumps \
      get "$key" -o "$OUT/rss.bin" --quiet 2>> "$WORK/get.log"
    rm -f "$OUT"/*
    kib=$(tail -1 "$WORK/get-rss.txt")
    echo "$label $((kib / 1024))" >> "$WORK/get-rss-all.txt"
    ;;
  summary)
    # The RSS pair as one row: the 8 GiB get within 10 % of the 1 GiB one.
    if [[ -f $WORK/get-rss-all.txt && $(wc -l < "$WORK/get-rss-all.txt") -ge 2 ]]; then
      read -r l1 r1 < <(sed -n 1p "$WORK/get-rss-all.txt")
      read -r l2 r2 < <(sed -n 2p "$WORK/get-rss-all.txt")
      ratio=$(echo "scale=3; $r2 / $r1" | bc -l)
      verdict=$( (( $(echo "$ratio <= 1.10 && $ratio >= 0.90" | bc -l) )) && echo met || echo MISSED)
      printf '| `dumpsink get` peak RSS: %s %s MiB, %s %s MiB (within 10 %%) | %s × | %s |\n' \
        "$l1" "$r1" "$l2" "$r2" "$ratio" "$verdict" >> "$ROWS"
    fi
    ;;
  *)
    echo "usage: bench/get.sh speed KEY ORIGINAL | rss KEY LABEL | summary" >&2
    exit 2
    ;;
esac
