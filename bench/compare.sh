#!/usr/bin/env bash
# lengthgen beside PyTorch at its best on this machine, in one run: training throughput on the shapes every experiment
# trains at tiny scale (one thread per run, as `reproduce --jobs 2` runs them on 2 cores) and on the presets (every
# core), and GEMM GFLOP/s beside OpenBLAS sgemm. Prints one table (see bench/pytorch/compare_table.py).
#
#   bench/compare.sh [--rounds N] [--experiments NAME,..|all|none] [--presets P,..|none] [--sizes N,..]
#
#   --rounds N        rounds of lengthgen then PyTorch, alternating; every figure is the median over rounds (default 2)
#   --experiments     experiments whose tiny-scale shapes are timed (default all)
#   --presets         presets at the paper's format, W = 20 (default micro,mini)
#   --sizes           GEMM sizes (default 256,512,1024)
#
# PyTorch runs the lean nanoGPT-style model of bench/pytorch/bench_step.py in every configuration of {1, 2} torch
# threads x {1, 2} OpenBLAS threads, each in a fresh process with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS misdetects
# these CPUs otherwise), and the best is the comparison. The script stops before any timing unless the process
# really runs OpenBLAS with the SkylakeX kernels.
#
# Environment: PYTHON (default /usr/bin/python3, where Debian's python3-torch lives); LENGTHGEN_BASELINE_JAR, a
# lengthgen.jar of an earlier build whose `bench step` knows --experiment: its tokens/s become the "before" column;
# JAVA (default java).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
java="${JAVA:-java}"
rounds=2
experiments=all
presets=micro,mini
sizes=256,512,1024
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --experiments) experiments="$2"; shift 2 ;;
    --presets) presets="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare: unknown argument '$1' (see bench/compare.sh --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "compare: --rounds needs a positive whole number, got '$rounds'" >&2
  exit 2
fi
out="$(mktemp -d)"
# The raw results stay when something fails, so a long run is not lost to a bad table.
trap 'if [ -n "${done:-}" ]; then rm -rf "$out"; else echo "compare: raw results kept in $out" >&2; fi' EXIT

if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "compare: $python cannot import torch and numpy: install Debian's python3-torch, python3-numpy and OpenBLAS" >&2
  echo "  (apt-get install python3-torch python3-numpy libopenblas0-pthread), or set PYTHON" >&2
  exit 2
fi
core="$(cd "$root/bench/pytorch" && OPENBLAS_CORETYPE=SkylakeX "$python" -c \
  'import torch; from blas_info import blas; l, c, t = blas(); print(c or "none: " + ", ".join(l or ["no BLAS"]))')"
if [ "$core" != "SkylakeX" ]; then
  echo "compare: PyTorch does not run OpenBLAS with the SkylakeX kernels here (it loaded: $core);" >&2
  echo "  install libopenblas0-pthread and select it: update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2
  exit 2
fi

step_flags=(--json)
if [ "$experiments" != none ]; then step_flags+=(--experiment "$experiments"); fi
if [ "$presets" != none ]; then step_flags+=(--presets "$presets"); fi
if [ "$experiments" = none ] && [ "$presets" = none ]; then
  echo "compare: nothing to time: give --experiments or --presets" >&2
  exit 2
fi

"$root/lengthgen" --help >/dev/null # builds the jar first if the sources changed
# Every round times this copy, so an edit to the sources while the script runs changes nothing it measures.
cp "$root/runner/target/lengthgen.jar" "$out/lengthgen.jar"
lengthgen() { # the launcher's JVM flags (see ./lengthgen)
  local jar="$1"
  shift
  "$java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:PerMethodTrapLimit=100000 \
    -jar "$jar" "$@" 2> >(grep -v '^WARNING: Using incubator' >&2)
}
for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds: lengthgen bench step" >&2
  lengthgen "$out/lengthgen.jar" bench step "${step_flags[@]}" > "$out/lengthgen-step-$r.json"
  if [ -n "${LENGTHGEN_BASELINE_JAR:-}" ]; then
    echo "== round $r/$rounds: baseline bench step ($LENGTHGEN_BASELINE_JAR)" >&2
    lengthgen "$LENGTHGEN_BASELINE_JAR" bench step "${step_flags[@]}" > "$out/baseline-step-$r.json"
  fi
  # one PyTorch run per step row and thread configuration, the row's shape read from lengthgen's JSON
  "$python" - "$out/lengthgen-step-$r.json" > "$out/rows-$r.txt" <<'PY'
import json, sys
for i, r in enumerate(json.load(open(sys.argv[1]))["step"]):
    if "preset" in r:
        args = ["--preset", r["preset"], "--width", str(r["width"])]
    else:
        args = ["--layers", str(r["layers"]), "--heads", str(r["heads"]), "--dim", str(r["dim"]),
                "--vocab", str(r["vocab"]), "--context", str(r["context"]), "--seq", str(r["T"]),
                "--loss-rows", str(max(1, round(r["loss_rows_per_sequence"])))]
    args += ["--batch", str(r["batch"]), "--dropout", str(r["dropout"])]
    print(i, " ".join(args))
PY
  while read -r i args; do
    for t in 1 2; do
      for b in 1 2; do
        echo "== round $r/$rounds: pytorch row $i ($args), $t torch thread(s), $b OpenBLAS thread(s)" >&2
        # shellcheck disable=SC2086 # args is a list of flags
        OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=$b OMP_NUM_THREADS=$t \
          "$python" "$root/bench/pytorch/bench_step.py" $args --threads "$t" --json > "$out/pytorch-$i-T$t-B$b-$r.json"
      done
    done
  done < "$out/rows-$r.txt"
  echo "== round $r/$rounds: lengthgen bench gemm" >&2
  lengthgen "$out/lengthgen.jar" bench gemm --sizes "$sizes" --no-peak --json > "$out/lengthgen-gemm-$r.json"
  echo "== round $r/$rounds: OpenBLAS sgemm" >&2
  (cd "$root/bench/pytorch" && OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS="$(nproc)" \
    "$python" blas_gemm.py --sizes "$sizes") > "$out/openblas-gemm-$r.json"
done

(cd "$root/bench/pytorch" && "$python" compare_table.py "$out")
done=1
