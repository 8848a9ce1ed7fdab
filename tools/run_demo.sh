#!/usr/bin/env bash
# The main job on its built-in default (`make demo`): generate a small synthetic
# defect set with a shortcut cue, train configs/gain/demo.py (GAIN-MTL S6,
# MobileNetV3-Small, 128 px) on the CPU, test it, print the metrics table and
# write CAM / attention / localization overlays.
#
# Re-running reuses what is there: the data set is not regenerated, and training
# resumes from the work dir's last checkpoint (a finished run goes straight to
# testing), so nothing an earlier run wrote is overwritten.
#   DEMO_DATA (default data/gain_demo), DEMO_WORK_DIR (default work_dirs/gain_demo)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${MTL_VENV:-$ROOT/.venv}/bin/python
CONFIG=configs/gain/demo.py
DATA=${DEMO_DATA:-data/gain_demo}
WORK=${DEMO_WORK_DIR:-work_dirs/gain_demo}

echo "[demo] 1/3 data: $DATA"
if [ -f "$DATA/generation_info.json" ]; then
  echo "[demo] reusing the synthetic data set in $DATA"
else
  "$PY" tools/data/generate_defects.py "$DATA" --num-train 400 --num-test 200 \
    --size 128 --seed 0
fi

echo "[demo] 2/3 train: $CONFIG -> $WORK"
resume=()
if [ -f "$WORK/last_checkpoint" ]; then
  echo "[demo] resuming from $(cat "$WORK/last_checkpoint")"
  resume=(--resume auto)
fi
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" \
  --cfg-options "train_dataloader.dataset.data_root=$DATA" \
  "val_dataloader.dataset.data_root=$DATA" "test_dataloader.dataset.data_root=$DATA" \
  "${resume[@]}"

echo "[demo] 3/3 test"
ckpt=$(cat "$WORK/last_checkpoint")
"$PY" tools/test.py "$CONFIG" "$ckpt" --work-dir "$WORK" --show-dir "$WORK/overlays" \
  --cfg-options "test_dataloader.dataset.data_root=$DATA"
echo "[demo] metrics: $WORK/metrics.json; overlays: $WORK/overlays/"
