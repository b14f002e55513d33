#!/usr/bin/env bash
# Side by side (BENCHMARKS.md): ExplainJ's macro path against Captum and pytorch-grad-cam on the same ResNet-18
# weights and input, in one run. Per thread count, ROUNDS rounds of [Java macro path, then Python]; the report is
# bench/side-by-side-<N>t.md, plus a memory run (300 Grad-CAM macro calls) in bench/side-by-side-memory.md.
#
#   bench/side-by-side.sh                      # 2 and 1 threads, 2 rounds each, memory
#   THREADS=2 ROUNDS=3 bench/side-by-side.sh
#
# Needs Debian's python3-torch, python3-torchvision, python3-tqdm, python3-opencv, python3-sklearn, python3-scipy
# (apt-get install ...), and the sources of Captum 0.8.0, pytorch-grad-cam and ttach: cloned into
# $EXPLAINJ_BENCH_SRC (default ~/.cache/explainj-bench) on the first run, outside this repository, for the benchmark
# only. Offline, put checkouts there yourself (captum/, pytorch-grad-cam/, ttach/).
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS="${THREADS:-2 1}"
ROUNDS="${ROUNDS:-2}"
SRC="${EXPLAINJ_BENCH_SRC:-$HOME/.cache/explainj-bench}"
WORK="target/side-by-side"
PY=/usr/bin/python3
mkdir -p "$SRC" "$WORK"

fetch() { # name url ref
  if [ ! -d "$SRC/$1" ]; then
    git clone -q --filter=blob:none --no-checkout "$2" "$SRC/$1"
    git -C "$SRC/$1" checkout -q "$3"
  fi
}
fetch captum https://github.com/pytorch/captum v0.8.0
fetch pytorch-grad-cam https://github.com/jacobgil/pytorch-grad-cam 084273b3f30b54ad0c64cf8020a4337d979a66e0
fetch ttach https://github.com/qubvel/ttach 94e579e59a21cbdfbb4f5790502e648008ecf64e
export CAPTUM_SRC="$SRC/captum" GRADCAM_SRC="$SRC/pytorch-grad-cam" TTACH_SRC="$SRC/ttach"

MODEL="${MODEL:-}"
if [ -z "$MODEL" ]; then
  if [ -f ../shared/reference/models/resnet18.pt ]; then MODEL=../shared/reference/models/resnet18.pt
  else MODEL="$WORK/resnet18.pt"; fi
fi
INPUT="$WORK/input.npy"
$PY scripts/bench_side_by_side.py prepare --model "$MODEL" --input "$INPUT"

# shellcheck source=bench/classpath.sh
. bench/classpath.sh
X=""
if [ -z "${DISPLAY:-}" ]; then X="xvfb-run -a"; fi

for t in $THREADS; do
  for r in $(seq 1 "$ROUNDS"); do
    d="$WORK/${t}t/round$r"
    mkdir -p "$d"
    # shellcheck disable=SC2086
    $X java -Dexplainj.threads="$t" -Dai.djl.offline=true -cp "$CP" org.explainj.cli.SideBySide \
      --model "$MODEL" --input "$INPUT" --out "$d/explainj.csv"
    $PY scripts/bench_side_by_side.py run --model "$MODEL" --input "$INPUT" --threads "$t" --out "$d/python.csv"
  done
  $PY scripts/bench_side_by_side.py report --threads "$t" --rounds "$WORK/${t}t" --out "bench/side-by-side-${t}t.md" \
    --command "THREADS=$t ROUNDS=$ROUNDS bench/side-by-side.sh"
done

# first explanation in a fresh ImageJ: warm (libtorch unpacked, prepared copy and its records in the cache), then
# cold (an empty ExplainJ cache folder, and an empty DJL cache so that libtorch is unpacked from its jar again)
mkdir -p "$WORK/first"
: > "$WORK/first/explainj.csv"
for i in 1 2 3; do
  # shellcheck disable=SC2086
  $X java -Dexplainj.threads=2 -Dai.djl.offline=true -cp "$CP" org.explainj.cli.SideBySide --model "$MODEL" \
    --input "$INPUT" --first Grad-CAM --out "$WORK/first/warm$i.csv"
  tail -n 1 "$WORK/first/warm$i.csv" >> "$WORK/first/explainj.csv"
done
COLD="$(mktemp -d)"
# shellcheck disable=SC2086
DJL_CACHE_DIR="$COLD/djl" $X java -Dexplainj.threads=2 -Dai.djl.offline=true -Dexplainj.cache="$COLD/explainj" \
  -cp "$CP" org.explainj.cli.SideBySide --model "$MODEL" --input "$INPUT" --first Grad-CAM --out "$WORK/first/cold.csv"
sed 's/first Grad-CAM in a fresh ImageJ/first Grad-CAM, cold: libtorch unpacked and the model prepared/' \
  "$WORK/first/cold.csv" | tail -n 1 >> "$WORK/first/explainj.csv"
rm -rf "$COLD"
cp "$WORK/first/explainj.csv" bench/side-by-side-first.csv
echo "wrote bench/side-by-side-first.csv"

# memory: one JVM as Fiji starts it (no heap or direct-memory flags), 300 Grad-CAM macro calls
mkdir -p "$WORK/memory"
# shellcheck disable=SC2086
$X java -Dexplainj.threads=2 -Dai.djl.offline=true -cp "$CP" org.explainj.cli.SideBySide --model "$MODEL" \
  --input "$INPUT" --memory "${MEMORY_CALLS:-300}" --out "$WORK/memory/explainj.csv"
cp "$WORK/memory/explainj.csv" bench/side-by-side-memory.csv
echo "wrote bench/side-by-side-memory.csv"
