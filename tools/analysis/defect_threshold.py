"""Choose the defect score threshold of a GAIN-MTL model on validation predictions.

    python tools/test.py CONFIG CKPT --out work_dirs/val_preds.pkl \\
        --cfg-options test_dataloader.dataset.split=val
    python tools/analysis/defect_threshold.py work_dirs/val_preds.pkl --target-recall 0.95
    python tools/analysis/defect_threshold.py work_dirs/val_preds.pkl --max-f1
    python tools/analysis/defect_threshold.py work_dirs/val_preds.pkl --target-fpr 0.01

A threshold ``t`` flags an image as defect iff its defect probability >= t.
``--target-recall R``: the highest threshold that catches at least R of the
defects (fewest false alarms); ``--max-f1``: the threshold of the highest F1;
``--target-fpr F``: the lowest threshold that flags at most F of the normal
images (most defects caught). Prints the counts and rates at the chosen
threshold beside those of the model's current decision (``pred_label`` in the
dump), and the ``--cfg-options`` line that makes ``tools/test.py`` and the
inferencer use it. ``--json`` also writes the result.
"""
import argparse
import json
import math
import sys

from mtl_plugin.evaluation.defect_predictions import load_defect_predictions
from mtl_plugin.evaluation.operating_point import (
    best_f1_threshold,
    counts_at,
    threshold_for_fpr,
    threshold_for_recall,
)


def _fmt(value) -> str:
    return f'{value:.4f}' if isinstance(value, float) else str(value)


def choose_threshold(score, label, args: argparse.Namespace) -> float:
    """The threshold the chosen criterion picks (see the module docstring)."""
    if args.target_recall is not None:
        return threshold_for_recall(score, label, args.target_recall)
    if args.target_fpr is not None:
        return threshold_for_fpr(score, label, args.target_fpr)
    return best_f1_threshold(score, label)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pkl', help='predictions from tools/test.py --out')
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument('--target-recall', type=float, metavar='R',
                     help='catch at least this fraction of the defects')
    how.add_argument('--max-f1', action='store_true', help='maximise F1')
    how.add_argument('--target-fpr', type=float, metavar='F',
                     help='flag at most this fraction of the normal images')
    parser.add_argument('--defect-class', type=int, default=1)
    parser.add_argument('--json', help='also write the result here')
    args = parser.parse_args(argv)
    for name in ('target_recall', 'target_fpr'):
        value = getattr(args, name)
        if value is not None and not 0.0 <= value <= 1.0:
            parser.error(f'--{name.replace("_", "-")} {value}: expected a '
                         'fraction in [0, 1]')

    preds = load_defect_predictions(args.pkl, args.defect_class)
    num_pos = int(preds.label.sum())
    num_neg = len(preds.label) - num_pos
    if num_pos == 0 or num_neg == 0:
        sys.exit(f'error: {args.pkl} holds {num_pos} defect and {num_neg} normal '
                 'images; choosing a threshold needs both')
    thr = choose_threshold(preds.score, preds.label, args)
    if math.isinf(thr):
        sys.exit(f'error: no threshold flags at most {args.target_fpr} of the '
                 f'{num_neg} normal images (the highest score is a normal '
                 'image); use a larger --target-fpr')
    chosen = counts_at(preds.score, preds.label, thr)
    rows = [('chosen', chosen)]
    if (preds.pred >= 0).all():
        tp = int(((preds.pred == 1) & (preds.label == 1)).sum())
        fp = int(((preds.pred == 1) & (preds.label == 0)).sum())
        current = dict(threshold='model', tp=tp, fp=fp, fn=num_pos - tp,
                       tn=num_neg - fp, recall=tp / num_pos,
                       precision=tp / (tp + fp) if tp + fp else float('nan'),
                       f1=2 * tp / (tp + fp + num_pos), fpr=fp / num_neg,
                       accuracy=(tp + num_neg - fp) / len(preds.label))
        rows.insert(0, ('current', current))
    keys = ('threshold', 'tp', 'fp', 'fn', 'tn', 'recall', 'precision', 'f1',
            'fpr', 'accuracy')
    print(f'{args.pkl}: {len(preds.label)} images ({num_pos} defect, '
          f'{num_neg} normal)')
    print('| decision | ' + ' | '.join(keys) + ' |')
    print('|---' * (len(keys) + 1) + '|')
    for name, row in rows:
        print(f'| {name} | ' + ' | '.join(_fmt(row[k]) for k in keys) + ' |')
    # repr: the exact float, so the same scores give the same counts
    print(f'--cfg-options model.test_cfg.score_thr={thr!r}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(chosen, cfg_option=f'model.test_cfg.score_thr={thr!r}'),
                      f, indent=2)


if __name__ == '__main__':
    main()
