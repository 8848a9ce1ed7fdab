"""F1 of a retail detector's test dump at its best score threshold.

    python tools/analysis/retail_best_f1.py preds.pkl [--iou-thr 0.5] [--json out.json]

Detections are matched one-to-one to GT boxes at ``--iou-thr``; the score
threshold that maximises F1 is reported with its precision and recall (use it
as ``model.test_cfg.score_thr`` when a counting application needs one
operating point).
"""
import argparse
import json

from mtl_plugin.evaluation.dense_detection_matching import load_dumped_predictions, match_dataset


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pkl', help='predictions from tools/test.py --out')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--json', help='also write the result here')
    args = parser.parse_args(argv)
    matched = match_dataset(load_dumped_predictions(args.pkl), args.iou_thr)
    best = dict(matched.best_f1(), iou_thr=args.iou_thr,
                num_gts=matched.num_gts, num_dets=len(matched.scores))
    print(f'best F1 {best["f1"]:.4f} at score >= {best["threshold"]:.3f}: '
          f'precision {best["precision"]:.4f}, recall {best["recall"]:.4f} '
          f'(IoU {args.iou_thr}, {best["num_gts"]} GT, '
          f'{best["num_dets"]} detections)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(best, f, indent=2)


if __name__ == '__main__':
    main()
