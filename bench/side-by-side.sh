#!/usr/bin/env bash
# NnGen, RTNeural and ONNX Runtime side by side on the same networks, parameters and inputs, with ratios
# (and, with TRAINING=1, NnGen's training rows beside NumPy and PyTorch).
#
# Usage: bench/side-by-side.sh <RTNeural git dir> [<xsimd git dir>]
#    or: RTNEURAL_GIT=<RTNeural git dir> [XSIMD_GIT=<xsimd git dir>] bench/side-by-side.sh
#
#   <RTNeural git dir>  a clone or bare mirror of github.com/jatinchowdhury18/RTNeural (any folder outside this
#                       repository, e.g. /tmp/RTNeural; RTNeural's source is never copied into it). The harness is
#                       built at the commit pinned in ../shared/bench/rtneural/build.sh.
#   <xsimd git dir>     optional clone of github.com/xtensor-stack/xsimd: adds RTNeural's xsimd backend column.
#
# Environment:
#   ROUNDS=3            rounds; each runs the RTNeural harness, then NnGen and ONNX Runtime, so ranges cover the
#                       machine's drift (default 1)
#   RTN_HARNESS=<dir>   the harness folder (default: ../shared/bench/rtneural beside the repository)
#   RTN_ROOT=<dir>      where the harness builds (default /tmp/rtn; passed to build.sh)
#   SKIP_BUILD=1        reuse the binaries in $RTN_ROOT/bin and the benchmark build
#   TRAINING=1          also the training rows: NnGen's (quick mode) beside NumPy and PyTorch (bench/python_peers.py,
#                       Debian's /usr/bin/python3 with python3-numpy, python3-torch and libopenblas0-pthread), and the convolution rows
#                       (LeNet-5's epochs and their parts); adds ~5 min per round (PyTorch's LeNet-5 epochs most of it)
#   RECURRENT_ONLY=1    only the streaming rows (recurrent and causal convolution) beside RTNeural (and the recurrent
#                       ones beside ONNX Runtime) and the LSTM training step beside PyTorch's torch_LstmTrainStep, each
#                       round in the same run (~1 min per round)
#   FILTER=<parts>      only these NnGen rows (comma-separated parts of benchmark names, as --quick takes them;
#                       e.g. FILTER=LeNet5 PYTHON_ROWS=LeNet5 for the convolutional network's rows alone)
#   PYTHON_ROWS=<parts> only these NumPy/PyTorch rows (space-separated parts of row names); with FILTER set and
#                       PYTHON_ROWS unset, no Python rows run
#   OUT=<dir>           where the CSV files and the table go (default: a new folder under /tmp)
#
# Each RTNeural binary runs ~18 s per round (11 workloads) and the NnGen/ONNX Runtime quick run ~55 s (latency and
# streaming rows: 1 s warm-up, 31 samples of 10 ms; the 10,000-example batch rows). The streaming rows (recurrent and
# causal convolution) load the weights the eigen binary dumps in round 1 (--dump-weights) and check their first 64
# outputs against RTNeural's before timing; ONNX Runtime's recurrent rows run the same weights, checked against NnGen's.
# Prints a Markdown table; the raw CSVs, logs and the dumped weights stay in $OUT.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
RTNEURAL_GIT="${1:-${RTNEURAL_GIT:-}}"
XSIMD_GIT="${2:-${XSIMD_GIT:-}}"
ROUNDS="${ROUNDS:-1}"
RTN_HARNESS="${RTN_HARNESS:-$REPO/../shared/bench/rtneural}"
export RTN_ROOT="${RTN_ROOT:-/tmp/rtn}"
OUT="${OUT:-$(mktemp -d /tmp/side-by-side.XXXXXX)}"
mkdir -p "$OUT"

log() { echo "[side-by-side] $*" >&2; }

[ -n "$RTNEURAL_GIT" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
[ -x "$RTN_HARNESS/build.sh" ] || [ -f "$RTN_HARNESS/build.sh" ] || { log "no harness at $RTN_HARNESS (set RTN_HARNESS)"; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the RTNeural harness from $RTNEURAL_GIT into $RTN_ROOT"
  bash "$RTN_HARNESS/build.sh" "$RTNEURAL_GIT" ${XSIMD_GIT:+"$XSIMD_GIT"}
  log "building tests/NnGen.Benchmarks (Release)"
  dotnet build "$REPO/tests/NnGen.Benchmarks" -c Release -v quiet -nologo >&2
fi

backends=()
for b in eigen xsimd; do
  [ -x "$RTN_ROOT/bin/rtneural_bench_$b" ] && backends+=("$b")
done
[ ${#backends[@]} -gt 0 ] || { log "no RTNeural binaries in $RTN_ROOT/bin"; exit 1; }

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
       "family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')," \
       "$(nproc) CPUs; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|fma|avx512f' | sort -u | tr '\n' ' ')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rounds: $ROUNDS"
  cat "$RTN_ROOT/bin/BUILDINFO.txt" 2>/dev/null || true
} > "$OUT/machine.txt"

nngen=()
rtneural=()
python=()
filter="Latency,PredictBatch,FmaPeak,ReadDeepW1,Stream"
python_rows=()
if [ "${TRAINING:-0}" = 1 ]; then
  filter="$filter,TrainIteration,TabularIteration,FashionEpoch,PlanarFit,SimpleChains,LstmTrainStep,LeNet5"
fi
if [ "${RECURRENT_ONLY:-0}" = 1 ]; then
  filter="Stream,LstmTrainStep"
  python_rows=(LstmTrainStep)
fi
if [ -n "${FILTER:-}" ]; then
  filter="$FILTER"
  read -r -a python_rows <<< "${PYTHON_ROWS:-}"
fi
if [ "${TRAINING:-0}" = 1 ] || [ ${#python_rows[@]} -gt 0 ]; then
  # Without it NumPy and PyTorch run on Debian's netlib reference BLAS, tens of times slower: a peer row that says nothing.
  [ -d /usr/lib/x86_64-linux-gnu/openblas-pthread ] ||
    log "WARNING: libopenblas0-pthread is not installed; NumPy and PyTorch will run on the reference BLAS (apt-get install libopenblas0-pthread)"
fi
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS: RTNeural (${backends[*]})"
  : > "$OUT/rtneural-$round.csv"
  for b in "${backends[@]}"; do
    # The eigen binary also dumps its streaming nets' weights, inputs and outputs (the first round's are kept).
    dump=()
    [ "$b" = eigen ] && [ "$round" = 1 ] && dump=(--dump-weights "$OUT/rtneural-weights")
    "$RTN_ROOT/bin/rtneural_bench_$b" ${dump[@]+"${dump[@]}"} >> "$OUT/rtneural-$round.csv" 2>> "$OUT/rtneural-$round.log"
  done
  log "round $round/$ROUNDS: NnGen and ONNX Runtime (quick mode: latency, batch and streaming rows)"
  # RTNEURAL_WEIGHTS: the streaming rows load RTNeural's own weights and check their first 64 outputs against its.
  RTNEURAL_WEIGHTS="$OUT/rtneural-weights" dotnet run -c Release --no-build --project "$REPO/tests/NnGen.Benchmarks" -- --quick "$filter" \
    > "$OUT/nngen-$round.csv" 2>> "$OUT/nngen-$round.log"
  nngen+=("$OUT/nngen-$round.csv")
  rtneural+=("$OUT/rtneural-$round.csv")
  if [ "${TRAINING:-0}" = 1 ] || [ ${#python_rows[@]} -gt 0 ]; then
    log "round $round/$ROUNDS: NumPy and PyTorch ${python_rows[*]:-(all rows)}"
    /usr/bin/python3 "$REPO/bench/python_peers.py" ${python_rows[@]+"${python_rows[@]}"} > "$OUT/python-$round.csv" 2>> "$OUT/python-$round.log"
    python+=("$OUT/python-$round.csv")
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

python3 "$REPO/bench/side_by_side.py" --nngen "${nngen[@]}" --rtneural "${rtneural[@]}" ${python[@]:+--python "${python[@]}"} \
  | tee "$OUT/table.md"
echo >&2
cat "$OUT/machine.txt" >&2
log "CSV files, logs and table.md in $OUT"
