#!/usr/bin/env bash
# Runs lengthgen's training benchmark and the same model in PyTorch on this machine, one after the other, and prints
# tokens/s side by side with their ratio per preset.
#
#   bench/compare.sh [presets]        presets: comma-separated, default micro,mini
#
# Environment: PYTHON (default /usr/bin/python3, where Debian's python3-torch lives), LENGTHGEN_BENCH_FLAGS (extra
# flags for 'lengthgen bench step', e.g. "--threads 2"), TORCH_THREADS (default 1).
# The PyTorch process runs with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS misdetects these CPUs and runs its slow
# kernels otherwise) and OPENBLAS_NUM_THREADS=1 next to one torch thread (more threads oversubscribe the cores):
# the tuned configuration, so the comparison is fair to PyTorch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
presets="${1:-micro,mini}"
python="${PYTHON:-/usr/bin/python3}"
torch_threads="${TORCH_THREADS:-1}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "compare: $python cannot import torch: install Debian's python3-torch and OpenBLAS" >&2
  echo "  (apt-get install python3-torch libopenblas0-pthread), or set PYTHON" >&2
  exit 2
fi

echo "== lengthgen bench step --presets $presets" >&2
"$root/lengthgen" bench step --presets "$presets" --json ${LENGTHGEN_BENCH_FLAGS:-} > "$out/lengthgen.json"

IFS=',' read -ra list <<< "$presets"
for p in "${list[@]}"; do
  echo "== pytorch $p" >&2
  OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$torch_threads" \
    "$python" "$root/bench/pytorch/bench_step.py" --preset "$p" --threads "$torch_threads" --json > "$out/pytorch-$p.json"
done

"$python" - "$out" "${list[@]}" <<'PY'
import json, sys
out, presets = sys.argv[1], sys.argv[2:]
lg = json.load(open(f"{out}/lengthgen.json"))
peak = lg.get("peak", {}).get("gflops")
rows = {r["preset"]: r for r in lg["step"]}
print(f"lengthgen: {lg['device']}")
if peak:
    print(f"fp32 peak {peak:.1f} GFLOP/s ({lg['peak']['method']})")
print(f"{'preset':8} {'lengthgen ms/step':>18} {'tokens/s':>10} {'pytorch ms/step':>16} {'tokens/s':>10} "
      f"{'ratio':>7} {'MFU lg':>7} {'MFU pt':>7}")
for p in presets:
    a = rows[p]
    b = json.load(open(f"{out}/pytorch-{p}.json"))
    ratio = a["tokens_per_second"] / b["tokens_per_second"]
    mfu_a = f"{100 * a['mfu']:.1f}%"
    mfu_b = f"{100 * b['achieved_gflops'] / peak:.1f}%" if peak else "-"
    print(f"{p:8} {a['ms_per_step_median']:18.1f} {a['tokens_per_second']:10.0f} {b['ms_per_step_median']:16.1f} "
          f"{b['tokens_per_second']:10.0f} {ratio:6.2f}x {mfu_a:>7} {mfu_b:>7}")
print(f"(pytorch {b['torch']}, {b['threads']} torch thread(s), OPENBLAS_CORETYPE={b['openblas_coretype']}; "
      "medians after warm-up; ratio = lengthgen tokens/s / pytorch tokens/s)")
PY
