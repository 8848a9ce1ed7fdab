#!/usr/bin/env bash
# Creates or reuses the project's virtual environment and installs the pinned
# OpenMMLab stack into it. Called by `make demo`, `make test`, .ci/run and
# docker/Dockerfile, so all of them install the same versions (requirements/*.txt
# is the single source of truth).
#
# Steps: python check -> venv -> torch + build tools -> mmcv (compiled ops), with
# the rest of the OpenMMLab stack installed while mmcv compiles -> mtl_plugin ->
# import check. A second run with nothing changed only checks a stamp file and
# returns within seconds.
#
# Environment:
#   MTL_VENV             venv path                    (default: <repo>/.venv)
#   PYTHON               interpreter for a new venv  (default: python3)
#   MTL_TORCH_SPEC       torch requirement(s)         (default: requirements/torch.txt)
#   MTL_TORCH_INDEX_URL  extra index for torch wheels (e.g. a CUDA wheel index)
#   MTL_MMCV_CUDA        auto | 1 | 0: build mmcv CUDA ops (auto: torch sees a GPU and nvcc exists)
#   TORCH_CUDA_ARCH_LIST CUDA archs for mmcv's CUDA ops (auto: the visible GPUs')
#   MTL_CACHE_DIR        where built mmcv wheels are kept (default: ~/.cache/mtl_plugin)
#   MAX_JOBS             parallel compile jobs         (default: number of cores)
#   MTL_EXTRAS           extra requirement files to install, e.g. "optional"
#   MTL_DEPS_ONLY=1      install the dependencies but not mtl_plugin itself
#                        (docker/Dockerfile caches this layer)
#
# `tools/install.sh --print-versions` prints the pinned versions and exits.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MTL_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
CACHE_DIR=${MTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mtl_plugin}
REQ=$ROOT/requirements
STEP="start"

step() { STEP="$1"; echo "[install] step: $1" >&2; }
fail() {
  echo "[install] FAILED at step '$STEP': $1" >&2
  echo "[install] fix: $2" >&2
  exit 1
}
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "[install] stopped at step \"$STEP\" (exit $rc); see the messages above." >&2; fi' EXIT

req_lines() { grep -vE '^\s*(#|$)' "$1"; }
mmcv_spec=$(req_lines "$REQ/mmcv.txt" | head -n1)
mmcv_version=${mmcv_spec#mmcv==}
torch_spec=${MTL_TORCH_SPEC:-$(req_lines "$REQ/torch.txt" | tr '\n' ' ')}
extras=${MTL_EXTRAS:-}

# The stamp records everything that decides what gets installed; unchanged stamp
# means the environment is complete and nothing needs to be done.
stamp_inputs() {
  cat "$REQ"/*.txt "$0"
  if [ -f "$ROOT/setup.py" ]; then cat "$ROOT/setup.py"; fi
  echo "torch_spec=$torch_spec index=${MTL_TORCH_INDEX_URL:-} cuda=${MTL_MMCV_CUDA:-auto} extras=$extras"
}
if [ "${1:-}" = "--print-versions" ]; then
  echo "torch: $torch_spec"
  echo "mmcv: $mmcv_version"
  req_lines "$REQ/runtime.txt" | grep '==' | grep -v '^torch' | sed 's/^/runtime: /'
  exit 0
fi
stamp_value=$(stamp_inputs | sha256sum | cut -d' ' -f1)
stamp_file=$VENV/.mtl_plugin_install_stamp

step "check python"
command -v "$PYTHON" >/dev/null || fail "'$PYTHON' not found" "install Python 3.8-3.12 or set PYTHON=/path/to/python3"
"$PYTHON" - <<'PY' || fail "unsupported Python version" "use Python 3.8-3.12 (set PYTHON=...); mmcv 2.1.0 does not build on newer ones"
import sys
sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 12) else 1)
PY

if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ] && [ -x "$VENV/bin/python" ]; then
  step "reuse environment"
  echo "[install] $VENV is up to date (delete $stamp_file to force a reinstall)" >&2
  exit 0
fi

step "virtual environment"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || fail "could not create $VENV" "install the venv module (Debian: apt-get install python3-venv) or set MTL_VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# torch and mmcv's build tools in one resolver run: on their own, torch's
# requirements would pull the newest setuptools, which has no pkg_resources any
# more; mmcv's setup.py needs setuptools < 81 (requirements/build.txt).
step "torch and build tools"
torch_args=()
[ -n "${MTL_TORCH_INDEX_URL:-}" ] && torch_args+=(--extra-index-url "$MTL_TORCH_INDEX_URL")
# shellcheck disable=SC2086
"${PIP[@]}" install -q "${torch_args[@]}" $torch_spec -r "$REQ/build.txt" \
  || fail "pip could not install '$torch_spec' and $REQ/build.txt" "set MTL_TORCH_SPEC to a torch/torchvision pair available for this platform (and MTL_TORCH_INDEX_URL for CUDA wheels); check access to the package index"
# One interpreter start checks that torch and torchvision import together and
# reads what the mmcv build needs to know.
torch_info=$("$PY" - <<'PY'
import torch, torchvision  # noqa: F401
cuda = torch.version.cuda or "none"
archs = ""
if torch.cuda.is_available():
    archs = ";".join(sorted({"%d.%d" % torch.cuda.get_device_capability(i) for i in range(torch.cuda.device_count())}))
print(torch.__version__.split("+")[0], cuda, archs or "-")
PY
) || fail "torch/torchvision installed but do not import together" "install a matching pair (see https://github.com/pytorch/vision#installation) via MTL_TORCH_SPEC"
read -r torch_version torch_cuda gpu_archs <<< "$torch_info"

step "mmcv $mmcv_version with compiled ops"
want_cuda=${MTL_MMCV_CUDA:-auto}
if [ "$want_cuda" = "auto" ]; then
  if [ "$gpu_archs" != "-" ] && command -v nvcc >/dev/null; then want_cuda=1; else want_cuda=0; fi
fi
if [ "$want_cuda" = "1" ]; then
  command -v nvcc >/dev/null || fail "MTL_MMCV_CUDA=1 but nvcc is not on PATH" "install the CUDA toolkit matching torch's CUDA $torch_cuda, or build CPU ops with MTL_MMCV_CUDA=0"
  arch_list=${TORCH_CUDA_ARCH_LIST:-${gpu_archs/-/}}
  [ -n "$arch_list" ] || fail "no CUDA architecture known for the mmcv build" "set TORCH_CUDA_ARCH_LIST, e.g. '8.0;9.0'"
  variant="cu${torch_cuda}-sm${arch_list//[^0-9]/_}"
else
  arch_list=""
  variant="cpu"
fi
py_tag=$("$PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
wheel_dir="$CACHE_DIR/wheels/mmcv-$mmcv_version-$py_tag-torch$torch_version-$variant"

mmcv_ok() {
  "$PY" - "$mmcv_version" "$want_cuda" <<'PY' 2>/dev/null
import sys
import mmcv
from mmcv.utils import ext_loader
ext = ext_loader.load_ext('_ext', ['nms'])  # fails when the compiled ops are missing
ok = mmcv.__version__ == sys.argv[1]
if sys.argv[2] == '1':
    import torch
    from mmcv.ops import get_compiling_cuda_version
    ok = ok and get_compiling_cuda_version() != 'not available'
sys.exit(0 if ok else 1)
PY
}

# The rest of the stack, without mmcv (built here, never from PyPI). While mmcv
# compiles, its build reads torch, setuptools, numpy ... from this venv:
# --keep-build-tools constrains them to the installed versions so that pip
# leaves them alone (if the stack needs others, it is installed after the
# compile instead).
tmp_dir=$(mktemp -d)
build_pid=""
cleanup() {
  if [ -n "$build_pid" ] && kill -0 "$build_pid" 2>/dev/null; then
    kill -- "-$build_pid" 2>/dev/null || kill "$build_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp_dir"
}
trap 'rc=$?; cleanup; if [ $rc -ne 0 ]; then echo "[install] stopped at step \"$STEP\" (exit $rc); see the messages above." >&2; fi' EXIT
# install_stack [--keep-build-tools]
install_stack() {
  local req_args=()
  for f in runtime tests $extras; do
    grep -vE '^\s*mmcv([<>=!~ ;]|$)' "$REQ/$f.txt" > "$tmp_dir/$f.txt"
    req_args+=(-r "$tmp_dir/$f.txt")
  done
  if [ "${1:-}" = "--keep-build-tools" ]; then
    "$PY" -m pip list --disable-pip-version-check --format=freeze \
      | grep -iE '^(torch|torchvision|numpy|setuptools|wheel|packaging|ninja)==' > "$tmp_dir/build-constraints.txt"
    req_args+=(-c "$tmp_dir/build-constraints.txt")
  fi
  # shellcheck disable=SC2086
  "${PIP[@]}" install -q "${torch_args[@]}" "${req_args[@]}" $torch_spec
}
stack_failed() {
  fail "pip could not install the pinned stack" "check access to the package index; the pins are in $REQ"
}

stack_done=0
if mmcv_ok; then
  echo "[install] mmcv $mmcv_version with ops already installed" >&2
else
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    echo "[install] building mmcv $mmcv_version ($variant) from source; about 10 minutes on 2 cores for CPU ops" >&2
    build_dir="$tmp_dir/mmcv-build"
    mkdir -p "$build_dir"
    (cd "$build_dir" && "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "$mmcv_spec") \
      || fail "could not download the $mmcv_spec source distribution" "check access to the package index"
    tar -xzf "$build_dir"/mmcv-*.tar.gz -C "$build_dir"
    src=$(ls -d "$build_dir"/mmcv-*/ | head -n1)
    # torch >= 2.14 headers need C++20; mmcv 2.1.0's setup.py hard-codes C++17.
    if "$PY" -c "import sys, torch; v = tuple(int(x) for x in torch.__version__.split('+')[0].split('.')[:2]); sys.exit(0 if v >= (2, 14) else 1)"; then
      sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
      grep -q -- '-std=c++20' "$src/setup.py" || fail "could not switch mmcv's setup.py to C++20" "report this: the mmcv source layout differs from 2.1.0"
      echo "[install] torch $torch_version: compiling mmcv with -std=c++20" >&2
    fi
    mkdir -p "$wheel_dir"
    # The compile runs in the background (its own process group, so a failure
    # elsewhere stops all of it) while pip installs the rest of the stack.
    # CFLAGS -g0: Python's own flags (distutils) ask for debug info, which
    # costs about 2.5 x the compile time of mmcv's C++ files and changes no
    # generated code.
    set -m
    (cd "$src" && MMCV_WITH_OPS=1 FORCE_CUDA="$want_cuda" TORCH_CUDA_ARCH_LIST="$arch_list" \
      MAX_JOBS="${MAX_JOBS:-$(nproc)}" CFLAGS="${CFLAGS:+$CFLAGS }-g0" \
      "${PIP[@]}" wheel -q --no-build-isolation --no-deps . -w "$wheel_dir") &
    build_pid=$!
    set +m
    step "OpenMMLab stack (while mmcv compiles)"
    if install_stack --keep-build-tools; then
      stack_done=1
    else
      echo "[install] the stack needs other versions of what the mmcv build uses: installing it after the compile" >&2
    fi
    step "mmcv $mmcv_version with compiled ops (waiting for the compile)"
    wait "$build_pid" \
      || { build_pid=""; rm -rf "$wheel_dir"; fail "building mmcv $mmcv_version failed" "read the compiler error above; needs gcc/g++ and Python headers (Debian: apt-get install build-essential python3-dev)"; }
    build_pid=""
  else
    echo "[install] reusing the mmcv wheel built earlier in $wheel_dir" >&2
  fi
  "${PIP[@]}" install -q --no-deps --force-reinstall "$wheel_dir"/mmcv-*.whl || fail "could not install the built mmcv wheel" "delete $wheel_dir and run again"
fi

step "OpenMMLab stack and mtl_plugin"
if [ "$stack_done" = "0" ]; then install_stack || stack_failed; fi
if [ "${MTL_DEPS_ONLY:-0}" = "1" ]; then
  echo "[install] MTL_DEPS_ONLY=1: dependencies installed, mtl_plugin not" >&2
  STEP="done"
  exit 0
fi
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT" || fail "could not install mtl_plugin in editable mode" "check $ROOT/setup.py"

step "import check"
# One interpreter start: the compiled ops and the whole stack.
"$PY" - "$want_cuda" <<'PY' || fail "the installed stack does not import, or mmcv's compiled ops do not load" "see the traceback above; for mmcv ops delete $wheel_dir and run again (it is rebuilt)"
import sys
import mtl_plugin, mmcv, mmdet, mmseg, mmpretrain, mmengine, torch
import mmdet.models, mmseg.models, mmpretrain.models  # noqa: F401
from mmcv.utils import ext_loader
ext_loader.load_ext('_ext', ['nms'])  # fails when the compiled ops are missing
if sys.argv[1] == '1':
    from mmcv.ops import get_compiling_cuda_version
    assert get_compiling_cuda_version() != 'not available', 'mmcv was built without CUDA ops'
print(f"[install] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, "
      f"mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, mmpretrain {mmpretrain.__version__}, mtl_plugin {mtl_plugin.__version__}")
PY
echo "$stamp_value" > "$stamp_file"
STEP="done"
