#!/usr/bin/env bash
# The main job on its built-in default (`make demo`): generate a small synthetic
# defect set whose train split carries a shortcut cue (a corner stamp on 95 % of
# the defect images, 5 % of the normal ones; the test split is cue-free), train
# on the CPU the shortcut learner configs/gain/demo-s1.py (S1, classification
# only) and the guided configs/gain/demo.py (the default GAIN-MTL recipe,
# s9.py) with MobileNetV3-Small at 128 px, test both, print them side by side
# on the cue-free split and write CAM / localization panels for both.
#
# Re-running reuses what is there: the data set is not regenerated, a finished
# training is not repeated (an interrupted one resumes from its last
# checkpoint), and a model whose metrics are newer than its final checkpoint
# is not tested again, so a second run only prints the table; nothing an
# earlier run wrote is overwritten.
#   DEMO_DATA (default data/gain_demo), DEMO_WORK_DIR (default work_dirs/gain_demo)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${MTL_VENV:-$ROOT/.venv}/bin/python
DATA=${DEMO_DATA:-data/gain_demo}
WORK=${DEMO_WORK_DIR:-work_dirs/gain_demo}
RUNS=(demo-s1 demo)

echo "[demo] 1/4 data: $DATA"
if [ -f "$DATA/generation_info.json" ]; then
  echo "[demo] reusing the synthetic data set in $DATA"
else
  "$PY" tools/data/generate_defects.py "$DATA" --num-train 400 --num-test 200 \
    --size 128 --seed 0
fi

data_opts=("train_dataloader.dataset.data_root=$DATA"
           "val_dataloader.dataset.data_root=$DATA"
           "test_dataloader.dataset.data_root=$DATA")
for name in "${RUNS[@]}"; do
  config=configs/gain/$name.py
  work=$WORK/$name
  epochs=$("$PY" -c "import sys; from mmengine.config import Config; \
print(Config.fromfile(sys.argv[1], import_custom_modules=False).train_cfg.max_epochs)" \
    "$config") || { echo "[demo] cannot read train_cfg.max_epochs of $config" >&2; exit 1; }
  final=$work/epoch_$epochs.pth
  echo "[demo] 2/4 train: $config -> $work"
  if [ -f "$final" ]; then
    echo "[demo] training finished earlier ($final), not repeated"
  else
    resume=()
    if [ -f "$work/last_checkpoint" ]; then
      echo "[demo] resuming from $(cat "$work/last_checkpoint")"
      resume=(--resume auto)
    fi
    "$PY" tools/train.py "$config" --work-dir "$work" \
      --cfg-options "${data_opts[@]}" "${resume[@]}"
  fi
  echo "[demo] 3/4 test: $final"
  if [ -f "$work/metrics.json" ] && [ "$work/metrics.json" -nt "$final" ]; then
    echo "[demo] $work/metrics.json is newer than $final, not tested again"
  else
    # an absolute --show-dir: a relative one lands under <work_dir>/<timestamp>/
    "$PY" tools/test.py "$config" "$final" --work-dir "$work" \
      --show-dir "$(cd "$work" && pwd)/panels" \
      --cfg-options "test_dataloader.dataset.data_root=$DATA"
  fi
done

echo "[demo] 4/4 side by side on the cue-free test split (S1 = demo-s1, guided = demo;"
echo "[demo] cam/gt_area_fraction is the chance level of cam/energy_inside)"
"$PY" tools/analysis/compare_strategies.py "S1=$WORK/demo-s1" "guided=$WORK/demo" \
  --metrics cls/accuracy cls/recall cls/auroc cam/iou cam/point_game \
  cam/energy_inside cam/gt_area_fraction --out-dir "$WORK"
echo "[demo] metrics: $WORK/demo-s1/metrics.json, $WORK/demo/metrics.json;" \
  "panels: $WORK/demo-s1/panels/, $WORK/demo/panels/"
