#!/usr/bin/env bash
# Prints the JVM options the benchmarks run the agent with: a 256 MiB container's memory (-XX:MaxRAM=256m) and the
# Helm chart's own agent.javaOpts (charts/dumpsink/values.yaml), so the agent is measured as it is shipped. In a
# real 256 MiB container the JVM would pick the serial collector by itself; on the benchmark machine, which it sees
# as 24 GiB and 2 cores, only the chart's -XX:+UseSerialGC gives it that (G1 instead held ~30 MiB more, growing
# with a long upload).
set -euo pipefail
values=$(dirname "$0")/../charts/dumpsink/values.yaml
opts=$(awk '/^agent:/ {in_agent = 1; next} /^[a-z]/ {in_agent = 0} in_agent && /^  javaOpts:/ {
  sub(/^  javaOpts: */, ""); gsub(/"/, ""); print; exit}' "$values")
[[ -n $opts ]] || { echo "no agent.javaOpts in $values" >&2; exit 1; }
echo "-XX:MaxRAM=256m $opts"
