#!/usr/bin/env bash
# Distributed training through torchrun and mmengine's DDP.
#   single node:  tools/dist_train.sh CONFIG GPUS [train.py options]
#   multi-node:   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG GPUS ...
# Without GPUs the processes use the gloo backend on the CPU.
#
# When a rank fails, torchrun stops the other ranks of this node (SIGTERM, then
# SIGKILL after 30 s) and its summary names the failed rank and its cause; ranks
# on other nodes fail in their next collective, at the latest after
# env_cfg.dist_cfg.timeout seconds. A job that stopped, for whatever reason,
# ends with the command that resumes it (docs/faults.md).
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python}

# torchrun runs in the background so that a SIGTERM, SIGHUP or SIGINT sent to
# this script reaches it (bash runs a trap only once the foreground command
# ended). It gets SIGTERM in each case, as background jobs ignore SIGINT; on
# SIGTERM torchrun stops its workers.
PYTHONPATH="$ROOT:${PYTHONPATH:-}" "$PYTHON" -m torch.distributed.run \
  --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
  --nproc_per_node="$GPUS" --master_port="$PORT" \
  "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}" &
torchrun_pid=$!
trap 'kill -TERM "$torchrun_pid" 2>/dev/null || true' TERM HUP INT
status=0
while :; do
  wait "$torchrun_pid" && status=0 || status=$?
  # wait also returns when a trap ran; go on waiting while torchrun lives.
  kill -0 "$torchrun_pid" 2>/dev/null || break
done

if [ "$status" -ne 0 ]; then
  # The same options with `--resume auto` in place of any --resume option.
  args=()
  skip_value=0
  for arg in "${@:3}"; do
    if [ "$skip_value" = 1 ]; then
      skip_value=0
      [[ $arg == -* ]] || continue
    fi
    case $arg in
      --resume) skip_value=1 ;;
      --resume=*) ;;
      *) args+=("$arg") ;;
    esac
  done
  {
    echo "dist_train.sh: the job stopped (torchrun exit status $status; the"
    echo "  output above names the failed rank and its cause). Continue from the"
    echo "  last complete checkpoint of its work dir with:"
    printf '  %q' "$0"
    printf ' %q' "$CONFIG" "$GPUS" "${args[@]}" --resume auto
    echo
  } >&2
fi
exit "$status"
