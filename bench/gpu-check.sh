#!/usr/bin/env bash
# The GPU check: everything a machine with a GPU should show about lengthgen, run from prebuilt files and written
# into one JSON file. On the GPU machine it needs only a Java runtime (17 or newer, with the jdk.incubator.vector
# module), the OpenCL ICD loader and the GPU's driver: no network, no Maven.
#
#   bench/gpu-check.sh --build           on a machine with this repository and network: builds the files into
#                                        dist/gpu-check/ and packs them as dist/gpu-check.tar.gz
#   ./gpu-check.sh [--device N|NAME] [--out FILE] [--quick]
#                                        on the GPU machine, in the unpacked dist/gpu-check/ (or bench/gpu-check.sh
#                                        in the repository, once built)
#
# Carry dist/gpu-check.tar.gz over (scp), then: tar xzf gpu-check.tar.gz && cd gpu-check && ./gpu-check.sh
# It runs on the first OpenCL GPU (or the device --device names) and says which; without a GPU it runs on the first
# device and says that the numbers are not a GPU's. In order:
#   1. the OpenCL devices ('lengthgen devices')
#   2. the OpenCL tests on that device: every op against the reference in both kernel variants, whole training
#      steps, evaluation, argument checks, device limits (dev.lengthgen.tests.GpuCheckTests)
#   3. 'lengthgen bench gemm' and 'lengthgen bench step --presets micro,mini' on the opencl backend
#   4. 'lengthgen profile' of one mini training step
#   5. the same training step in PyTorch on CUDA (bench/pytorch/bench_step.py --device cuda), when python3 has a
#      torch that sees a CUDA device
# The JSON file (default gpu-check-HOST-DATE.json) holds each step's result, or its error and log. --quick runs
# fewer and shorter benchmarks (to try the script on a CPU). Exit code: 0 when the tests passed, 1 when any failed,
# 2 on a usage error or missing files.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() {
  echo "gpu-check: $*" >&2
  exit 2
}

# ---- --build: on a machine with the repository and network ----
if [ "${1:-}" = "--build" ]; then
  root="$(cd "$here/.." && pwd)"
  [ -x "$root/mvnw" ] || die "--build runs in the repository (bench/gpu-check.sh --build), not in a bundle"
  dist="$root/dist/gpu-check"
  echo "gpu-check: building (./mvnw -Pgpu-check -DskipTests package)..." >&2
  (cd "$root" && ./mvnw -B -q -Pgpu-check -DskipTests package) || die "the build failed"
  rm -rf "$dist"
  mkdir -p "$dist/tests"
  cp "$root/runner/target/lengthgen.jar" "$dist/lengthgen.jar"
  cp -r "$root/tests/target/test-classes" "$dist/tests/classes"
  cp -r "$root/tests/target/gpu-check/lib" "$dist/tests/lib"
  cp "$here/gpu-check.sh" "$dist/gpu-check.sh"
  if [ -f "$here/pytorch/bench_step.py" ]; then
    cp "$here/pytorch/bench_step.py" "$dist/bench_step.py"
  fi
  {
    echo "commit $(cd "$root" && git rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } > "$dist/BUILD"
  tar -C "$root/dist" -czf "$root/dist/gpu-check.tar.gz" gpu-check
  echo "gpu-check: built $dist and $root/dist/gpu-check.tar.gz ($(du -h "$root/dist/gpu-check.tar.gz" | cut -f1))"
  echo "gpu-check: on the GPU machine: tar xzf gpu-check.tar.gz && cd gpu-check && ./gpu-check.sh"
  exit 0
fi

# ---- the check ----
device=""
out=""
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --device) [ $# -ge 2 ] || die "--device needs an index or a name"; device="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a file name"; out="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# The files: this directory when it is a bundle, else the repository's dist/gpu-check/.
if [ -f "$here/lengthgen.jar" ] && [ -d "$here/tests/lib" ]; then
  bundle="$here"
elif [ -f "$here/../dist/gpu-check/lengthgen.jar" ]; then
  bundle="$(cd "$here/../dist/gpu-check" && pwd)"
else
  die "no prebuilt files here: run bench/gpu-check.sh --build on a machine with the repository and network, then
  carry dist/gpu-check.tar.gz here"
fi
java_bin="java"
[ -n "${JAVA_HOME:-}" ] && java_bin="$JAVA_HOME/bin/java"
command -v "$java_bin" >/dev/null 2>&1 || die "no java: install a Java runtime, 17 or newer (or set JAVA_HOME)"
"$java_bin" --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector' \
  || die "$java_bin lacks the jdk.incubator.vector module (a jlink-ed runtime needs --add-modules ...,jdk.incubator.vector)"
jvm=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:PerMethodTrapLimit=100000 -Xss8m)

host="$(hostname 2>/dev/null || echo host)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
[ -n "$out" ] || out="gpu-check-$host-$stamp.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

lengthgen() {
  "$java_bin" "${jvm[@]}" -jar "$bundle/lengthgen.jar" "$@"
}

# Runs one step: its stdout goes to $work/NAME.out, its stderr to $work/NAME.log and, as it comes, the terminal;
# records its exit code and seconds.
step() {
  local name="$1"
  shift
  echo "== $name: $*" >&2
  local start end pid code
  start=$(date +%s)
  "$@" > "$work/$name.out" 2> "$work/$name.log" &
  pid=$!
  tail --pid="$pid" -n +1 -f "$work/$name.log" 2>/dev/null | grep -v '^WARNING: Using incubator modules' >&2
  wait "$pid"
  code=$?
  end=$(date +%s)
  echo "$code" > "$work/$name.code"
  echo "$((end - start))" > "$work/$name.seconds"
  [ "$code" = 0 ] || echo "gpu-check: $name exited with $code" >&2
  return 0
}

# A JSON string of a file's text, lines joined by \n (escaped with awk: no python or jq needed).
json_text() {
  awk 'BEGIN { printf "\"" }
       { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, ""); gsub(/[\001-\037]/, "");
         printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }
       END { printf "\"" }' "$1"
}

# {"exit": N, "seconds": S, "result": <the step's JSON output>|null, "output": "<text>" (when not JSON), "log": ...}
json_step() {
  local name="$1" is_json="$2"
  local code seconds
  code="$(cat "$work/$name.code" 2>/dev/null || echo null)"
  seconds="$(cat "$work/$name.seconds" 2>/dev/null || echo null)"
  printf '{"exit": %s, "seconds": %s, ' "$code" "$seconds"
  if [ "$is_json" = 1 ] && [ "$code" = 0 ] && [ -s "$work/$name.out" ]; then
    printf '"result": '
    cat "$work/$name.out"
    printf ', '
  else
    printf '"result": null, "output": '
    json_text "$work/$name.out"
    printf ', '
  fi
  printf '"log": '
  if [ -f "$work/$name.log" ]; then json_text "$work/$name.log"; else printf '""'; fi
  printf '}'
}

# 1. devices, and the one this check runs on
lengthgen devices 2>/dev/null
step devices lengthgen devices --json
chosen="$(awk -v want="$device" '
  /"index":/ { gsub(/[^0-9]/, "", $0); index_ = $0 }
  /"name":/ { line = $0; sub(/^[^:]*: *"/, "", line); sub(/",? *$/, "", line); name = line }
  /"type":/ { line = $0; sub(/^[^:]*: *"/, "", line); sub(/",? *$/, "", line); type = line }
  /"default": true/ { if (want == "") print index_ "\t" type "\t" name }
  /"default":/ { if (want != "" && (want == index_ || index(tolower(name), tolower(want)) > 0) && !done) {
                   print index_ "\t" type "\t" name; done = 1 } }' "$work/devices.out")"
[ -n "$chosen" ] || die "no OpenCL device$( [ -n "$device" ] && echo " matches '$device'"): see the list above (an ICD loader and a driver with OpenCL are needed)"
device_index="$(echo "$chosen" | cut -f1)"
device_type="$(echo "$chosen" | cut -f2)"
device_name="$(echo "$chosen" | cut -f3)"
if [ "$device_type" = "GPU" ]; then
  echo "gpu-check: running on OpenCL device #$device_index, $device_name (GPU)" >&2
else
  echo "gpu-check: NO GPU: running on OpenCL device #$device_index, $device_name ($device_type); these are not a" \
    "GPU's numbers" >&2
fi

# 2. the OpenCL tests on it
step tests env LENGTHGEN_REQUIRE_OPENCL=1 "$java_bin" "${jvm[@]}" -Dlengthgen.opencl.device="$device_index" \
  -cp "$bundle/tests/classes:$bundle/tests/lib/*" dev.lengthgen.tests.GpuCheckTests "$work/tests.json"
tail -n 1 "$work/tests.out" >&2

# 3. benchmarks, 4. profile
# shellcheck disable=SC2054  # the commas belong to the flags' values
if [ "$quick" = 1 ]; then
  gemm_flags=(--sizes 256,512 --samples 3 --min-time 0.05)
  step_flags=(--presets micro --steps 2 --warmup 1)
  profile_flags=(--preset micro --warmup 1)
else
  gemm_flags=()
  step_flags=(--presets micro,mini)
  profile_flags=(--preset mini)
fi
step bench_gemm lengthgen bench gemm --backend opencl --device "$device_index" --json \
  ${gemm_flags[@]+"${gemm_flags[@]}"}
step bench_step lengthgen bench step --backend opencl --device "$device_index" --json "${step_flags[@]}"
step profile lengthgen profile --backend opencl --device "$device_index" --json "${profile_flags[@]}"

# 5. PyTorch on CUDA
python="${PYTHON:-python3}"
pytorch_presets=(micro mini)
[ "$quick" = 1 ] && pytorch_presets=(micro)
pytorch_status="ran"
if ! command -v "$python" >/dev/null 2>&1; then
  pytorch_status="skipped: no $python"
elif ! "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  pytorch_status="skipped: $python has no torch that sees a CUDA device"
elif [ ! -f "$bundle/bench_step.py" ] && [ ! -f "$here/pytorch/bench_step.py" ]; then
  pytorch_status="skipped: bench_step.py is not in the bundle"
else
  script="$bundle/bench_step.py"
  [ -f "$script" ] || script="$here/pytorch/bench_step.py"
  for p in "${pytorch_presets[@]}"; do
    step "pytorch_$p" "$python" "$script" --preset "$p" --device cuda --json
    if [ "$(cat "$work/pytorch_$p.code")" != 0 ]; then
      pytorch_status="failed: see each preset's exit and log (a bench_step.py without --device cuda fails so)"
    fi
  done
fi
echo "gpu-check: PyTorch on CUDA: $pytorch_status" >&2

# the JSON file
{
  printf '{\n"check": "lengthgen gpu-check", "host": "%s", "date": "%s", "quick": %s,\n' "$host" "$stamp" \
    "$([ "$quick" = 1 ] && echo true || echo false)"
  printf '"build": '; if [ -f "$bundle/BUILD" ]; then json_text "$bundle/BUILD"; else printf 'null'; fi
  printf ',\n"java": '; "$java_bin" -version 2> "$work/java.txt"; json_text "$work/java.txt"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi > "$work/nvidia-smi.txt" 2>&1
    printf ',\n"nvidia_smi": '; json_text "$work/nvidia-smi.txt"
  fi
  printf ',\n"device": {"index": %s, "type": "%s", "name": ' "$device_index" "$device_type"
  printf '%s' "$device_name" > "$work/name.txt"; json_text "$work/name.txt"
  printf '},\n"devices": '; json_step devices 1
  printf ',\n"tests": '
  if [ -s "$work/tests.json" ]; then
    printf '{"exit": %s, "seconds": %s, "result": ' "$(cat "$work/tests.code")" "$(cat "$work/tests.seconds")"
    cat "$work/tests.json"
    printf ', "output": '; json_text "$work/tests.out"; printf '}'
  else
    json_step tests 0
  fi
  printf ',\n"bench_gemm": '; json_step bench_gemm 1
  printf ',\n"bench_step": '; json_step bench_step 1
  printf ',\n"profile": '; json_step profile 1
  printf ',\n"pytorch_cuda": {"status": "%s"' "$pytorch_status"
  for p in "${pytorch_presets[@]}"; do
    if [ -f "$work/pytorch_$p.code" ]; then
      printf ', "%s": ' "$p"; json_step "pytorch_$p" 1
    fi
  done
  printf '}\n}\n'
} > "$out"
echo "gpu-check: wrote $out" >&2

tests_code="$(cat "$work/tests.code" 2>/dev/null || echo 1)"
[ "$tests_code" = 0 ] && exit 0
exit 1
