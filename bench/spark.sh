#!/usr/bin/env bash
# Spark throughput (BENCHMARKS.md "Spark"): 200 copies of the demo images explained with Grad-CAM by ExplainFolder in
# one JVM, and by scripts/explain-spark with local[1] and local[2]; prints each job's own time and the wall time.
#   bench/spark.sh [N]      # N images (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in"
for i in $(seq 1 "$N"); do
  cp "test-images/demo/ring_cell_$(( i % 2 + 1 )).tif" "$WORK/in/img_$i.tif"
done
scripts/explain-spark --help >/dev/null 2>&1 || true   # builds the class path once
CP="target/classes:$(cat target/spark-classpath.txt)"
MODEL=test-images/demo/ringnet_traced.pt
t0=$(date +%s.%N)
java -Djava.awt.headless=true -Dai.djl.offline=true -cp "$CP" org.explainj.cli.ExplainFolder --input "$WORK/in" \
  --output "$WORK/single" --model "$MODEL" --method Grad-CAM | head -1
t1=$(date +%s.%N)
echo "single JVM: wall $(echo "$t1 - $t0" | bc) s"
for m in 1 2; do
  t0=$(date +%s.%N)
  scripts/explain-spark --master "local[$m]" --input "$WORK/in" --output "$WORK/spark$m" --model "$MODEL" \
    --method Grad-CAM 2>/dev/null | head -1
  t1=$(date +%s.%N)
  echo "local[$m]: wall $(echo "$t1 - $t0" | bc) s"
done
