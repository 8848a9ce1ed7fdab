"""Histogram of the IoU between detections and their matched GT boxes (PNG).

    python tools/analysis/retail_iou_histogram.py preds.pkl --out iou.png \
        [--score-thr 0.2] [--match-iou 0.1]

Detections scoring ``>= --score-thr`` are matched one-to-one to GT boxes
(greedy by score) at the low IoU ``--match-iou``, so that poorly localised
detections show up in the low bins instead of vanishing; the unmatched ones
are counted in the title.
"""
import argparse

import matplotlib
import numpy as np

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from mtl_plugin.evaluation.dense_detection_matching import load_dumped_predictions, match_dataset  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pkl', help='predictions from tools/test.py --out')
    parser.add_argument('--out', default='retail_iou_histogram.png')
    parser.add_argument('--score-thr', type=float, default=0.2)
    parser.add_argument('--match-iou', type=float, default=0.1)
    parser.add_argument('--bins', type=int, default=20)
    args = parser.parse_args(argv)
    images = [(b[s >= args.score_thr], s[s >= args.score_thr], g)
              for b, s, g in load_dumped_predictions(args.pkl)]
    matched = match_dataset(images, args.match_iou)
    ious = matched.matched_iou[matched.matched_iou > 0]
    unmatched = int((matched.matched_iou <= 0).sum())
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(ious, bins=args.bins, range=(args.match_iou, 1.0),
            color='C0', edgecolor='white')
    for thr in (0.5, 0.75):
        ax.axvline(thr, color='C3', ls='--', lw=1)
    ax.set(xlabel='IoU with matched GT', ylabel='detections',
           title=f'{len(ious)} matched, {unmatched} unmatched '
           f'(score >= {args.score_thr})')
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    median = float(np.median(ious)) if len(ious) else float('nan')
    print(f'wrote {args.out}; {len(ious)} matched detections, median IoU '
          f'{median:.3f}, {float((ious >= 0.75).mean()) if len(ious) else 0:.3f}'
          f' of them >= 0.75; {unmatched} unmatched')


if __name__ == '__main__':
    main()
