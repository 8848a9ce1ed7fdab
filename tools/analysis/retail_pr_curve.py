"""Precision-recall curve of a retail detector's test dump, as a PNG.

    python tools/test.py configs/retail/<cfg>.py <ckpt> --out preds.pkl
    python tools/analysis/retail_pr_curve.py preds.pkl --out pr.png [--iou-thr 0.5]

Detections are matched one-to-one to GT boxes at ``--iou-thr`` (COCO-style
greedy by score, mtl_plugin.evaluation.dense_detection_matching); the curve
sweeps the score threshold, and the best-F1 point is marked.
"""
import argparse

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from mtl_plugin.evaluation.dense_detection_matching import load_dumped_predictions, match_dataset  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pkl', help='predictions from tools/test.py --out')
    parser.add_argument('--out', default='retail_pr_curve.png')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    args = parser.parse_args(argv)
    matched = match_dataset(load_dumped_predictions(args.pkl), args.iou_thr)
    pr = matched.precision_recall()
    best = matched.best_f1()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(pr['recall'], pr['precision'], lw=1.5)
    ax.plot(best['recall'], best['precision'], 'o', color='C3',
            label=f'best F1 {best["f1"]:.3f} @ score {best["threshold"]:.2f}')
    ax.set(xlabel='recall', ylabel='precision', xlim=(0, 1), ylim=(0, 1.02),
           title=f'PR at IoU {args.iou_thr} ({matched.num_gts} GT, '
           f'{len(matched.scores)} detections)')
    ax.grid(alpha=0.3)
    ax.legend(loc='lower left')
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f'wrote {args.out}; best F1 {best["f1"]:.4f} at score '
          f'{best["threshold"]:.3f} (P {best["precision"]:.4f}, '
          f'R {best["recall"]:.4f})')


if __name__ == '__main__':
    main()
