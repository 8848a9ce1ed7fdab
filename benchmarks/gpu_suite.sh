#!/usr/bin/env bash
# GPU readiness numbers of mtl_plugin in one command (at most ~8 minutes on one
# H100/H200), printed as one table:
#
#   1. install  the stack: from a folder of wheels (--wheels DIR, for GPU boxes
#               without internet), else through tools/install.sh;
#   2. train    images/s of each workload's shipped GPU config in float32,
#               float16 and bfloat16 AMP vs its backbone alone at the same batch
#               and input size (the ratio is the pipeline's overhead), and peak
#               memory (benchmarks/workload_throughput.py);
#   3. assign   the dense retail assigner at 1333x800 with 700 GT on the GPU vs
#               mmdet's MaxIoUAssigner (benchmarks/retail_assigner_benchmark.py);
#   4. trace    CPU-vs-GPU equality of `tools/diagnose.py CONFIG trace` per
#               workload (benchmarks/trace_cpu_gpu.py);
#   5. table    benchmarks/gpu_suite_table.py (also written to OUT/table.md).
#
# Usage:
#   benchmarks/gpu_suite.sh [--wheels DIR] [--python PY] [--out DIR] [--dry-run]
#
#   --wheels DIR  install the pinned stack from the wheels in DIR with
#                 `pip install --no-index --no-deps --target OUT/site DIR/*.whl`
#                 (nothing is downloaded; DIR must hold mmcv built for this
#                 machine's torch/CUDA, mmengine, mmdet, mmsegmentation,
#                 mmpretrain and their small dependencies; torch must already be
#                 installed) and run with PYTHONPATH=OUT/site:<repo>.
#                 Without --wheels: tools/install.sh (builds/reuses .venv).
#   --python PY   use this interpreter as is and install nothing.
#   --out DIR     result folder (default: work_dirs/gpu_suite).
#   --dry-run     every step on the CPU with tiny sizes (minutes on a laptop;
#                 what needs a GPU is reported as skipped). Installs nothing
#                 from --wheels (only checks the folder).
#
# Offline GPU box: build the mmcv wheel once on a machine with the same
# Python, torch and CUDA (`MMCV_WITH_OPS=1 FORCE_CUDA=1 TORCH_CUDA_ARCH_LIST=9.0
# pip wheel --no-build-isolation --no-deps mmcv==2.1.0`, or tools/install.sh,
# which keeps it in ~/.cache/mtl_plugin/wheels), `pip download` the pure-Python
# wheels of requirements/runtime.txt next to it, copy the folder over, then
#   benchmarks/gpu_suite.sh --wheels /path/to/wheels
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHEELS=""
PY_GIVEN=""
OUT=""
DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels) WHEELS=${2:?--wheels needs a folder}; shift 2 ;;
    --python) PY_GIVEN=${2:?--python needs an interpreter}; shift 2 ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "gpu_suite.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$ROOT/work_dirs/gpu_suite}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: > "$OUT/steps.tsv"
rm -f "$OUT"/{install,throughput,assigner,trace}.json
cd "$ROOT"
# Step time limits (seconds), 460 in all: the suite fits 8 minutes. The dry
# run's are safety nets for a loaded CPU (about 40 s of CPU time in all).
if [ "$DRY" = 1 ]; then
  T_INSTALL=60 T_TRAIN=600 T_ASSIGN=300 T_TRACE=600
else
  T_INSTALL=60 T_TRAIN=240 T_ASSIGN=60 T_TRACE=100
fi

record() {  # record NAME RC SECONDS
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$OUT/steps.tsv"
}
run_step() {  # run_step NAME LIMIT CMD...: output in OUT/NAME.log
  local name=$1 limit=$2 t0=$SECONDS rc
  shift 2
  echo "[gpu_suite] $name: $*" >&2
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  record "$name" "$rc" $((SECONDS - t0))
  [ "$rc" = 0 ] || echo "[gpu_suite] $name failed (exit $rc); see $OUT/$name.log" >&2
  return 0
}
write_install() {  # write_install HOW STATUS
  HOW=$1 STATUS=$2 python3 - "$OUT/install.json" <<'PY'
import json, os, sys
json.dump(dict(how=os.environ['HOW'], status=os.environ['STATUS']),
          open(sys.argv[1], 'w'))
PY
}

# 1. install -----------------------------------------------------------------
t0=$SECONDS
install_rc=0
if [ -n "$PY_GIVEN" ]; then
  PY=$PY_GIVEN
  write_install "--python $PY_GIVEN" "skipped: interpreter given, nothing installed"
elif [ -n "$WHEELS" ]; then
  PY=${PYTHON:-python3}
  missing=""
  for pkg in mmcv mmengine mmdet mmsegmentation mmpretrain; do
    ls "$WHEELS"/"$pkg"-*.whl >/dev/null 2>&1 || missing="$missing $pkg"
  done
  count=$(ls "$WHEELS"/*.whl 2>/dev/null | wc -l)
  if [ -n "$missing" ]; then
    install_rc=1
    write_install "--wheels $WHEELS" "FAILED: no wheel for$missing in $WHEELS"
  elif [ "$DRY" = 1 ]; then
    write_install "--wheels $WHEELS" "skipped (dry run): $count wheels found, would run pip install --no-index --no-deps --target $OUT/site"
  else
    if timeout "$T_INSTALL" "$PY" -m pip install -q --disable-pip-version-check \
        --no-index --no-deps --target "$OUT/site" "$WHEELS"/*.whl > "$OUT/install.log" 2>&1; then
      write_install "--wheels $WHEELS" "ok: $count wheels into $OUT/site"
    else
      install_rc=1
      write_install "--wheels $WHEELS" "FAILED: pip --target (see install.log)"
    fi
  fi
  export PYTHONPATH="$OUT/site:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
else
  if bash tools/install.sh > "$OUT/install.log" 2>&1; then
    write_install "tools/install.sh" "ok"
  else
    install_rc=1
    write_install "tools/install.sh" "FAILED (see install.log)"
  fi
  PY=${MTL_VENV:-$ROOT/.venv}/bin/python
fi
record install "$install_rc" $((SECONDS - t0))

# The versions actually imported, into install.json.
"$PY" - "$OUT/install.json" >> "$OUT/install.log" 2>&1 <<'PY' || true
import json, sys
path = sys.argv[1]
info = json.load(open(path))
try:
    import torch, mmcv, mmdet, mmengine, mtl_plugin  # noqa: F401
    from mmcv.ops import get_compiling_cuda_version
    info['versions'] = (
        f'torch {torch.__version__} (CUDA {torch.version.cuda}, GPU '
        f'{torch.cuda.get_device_name() if torch.cuda.is_available() else "none"}), '
        f'mmcv {mmcv.__version__} ops CUDA {get_compiling_cuda_version()}, '
        f'mmdet {mmdet.__version__}, mmengine {mmengine.__version__}')
except Exception as exc:  # noqa: BLE001
    info['versions'] = f'import failed: {type(exc).__name__}: {exc}'[:200]
json.dump(info, open(path, 'w'))
PY

# 2-4. measurements ------------------------------------------------------------
if [ "$DRY" = 1 ]; then
  run_step throughput "$T_TRAIN" "$PY" benchmarks/workload_throughput.py --dry-run \
    --out "$OUT/throughput.json"
  run_step assigner "$T_ASSIGN" "$PY" benchmarks/retail_assigner_benchmark.py \
    --device cpu --image 320 192 --num-gts 60 --methods ours maxiou \
    --repeats 1 --threads 1 --mem-cap-gb 4 --out "$OUT/assigner.json"
  run_step trace "$T_TRACE" "$PY" benchmarks/trace_cpu_gpu.py --dry-run \
    --out "$OUT/trace.json"
else
  run_step throughput "$T_TRAIN" "$PY" benchmarks/workload_throughput.py \
    --out "$OUT/throughput.json"
  run_step assigner "$T_ASSIGN" "$PY" benchmarks/retail_assigner_benchmark.py \
    --device cuda --image 1333 800 --num-gts 700 --methods ours maxiou \
    --repeats 3 --out "$OUT/assigner.json"
  run_step trace "$T_TRACE" "$PY" benchmarks/trace_cpu_gpu.py \
    --out "$OUT/trace.json"
fi

# 5. table ---------------------------------------------------------------------
python3 benchmarks/gpu_suite_table.py "$OUT"
