#!/usr/bin/env bash
# ExplainJ speed and memory benchmark (BENCHMARKS.md). Builds, then runs one JVM per thread count
# (org.explainj.cli.Bench --threads N -> bench/results-<N>t.md|csv), the memory check in a fresh JVM per thread
# count (--memory -> bench/memory-<N>t.md|csv) and, with --python, scripts/bench_python.py (bench/python-<N>t.md).
#
#   bench/run.sh              # Java: 1 and 2 threads, memory
#   bench/run.sh --python     # and the Python comparison
#   THREADS="2" BENCH_ARGS="--models unet --reps 5" bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS="${THREADS:-1 2}"
BENCH_ARGS="${BENCH_ARGS:-}"
JVM="-Djava.awt.headless=true -Dai.djl.offline=true ${BENCH_JVM:-}"

# shellcheck source=bench/classpath.sh
. bench/classpath.sh

for t in $THREADS; do
  # shellcheck disable=SC2086
  java $JVM -cp "$CP" org.explainj.cli.Bench --threads "$t" $BENCH_ARGS \
    --command "bench/run.sh = java $JVM -cp target/classes:target/test-classes:<test classpath> org.explainj.cli.Bench --threads $t $BENCH_ARGS"
done
for t in $THREADS; do
  # shellcheck disable=SC2086
  java $JVM -cp "$CP" org.explainj.cli.Bench --memory --threads "$t" \
    --command "bench/run.sh = java $JVM -cp target/classes:target/test-classes:<test classpath> org.explainj.cli.Bench --memory --threads $t"
done
if [ "${1:-}" = "--python" ]; then
  # shellcheck disable=SC2086
  /usr/bin/python3 scripts/bench_python.py --threads $THREADS
fi
