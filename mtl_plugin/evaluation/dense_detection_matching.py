"""One-to-one matching of detections to GT boxes, for the retail analysis tools.

COCO's matching, reduced to one class and one IoU threshold: per image,
detections are visited by descending score and each takes the unmatched GT
box of highest IoU if that IoU reaches ``iou_thr``. From the matches follow
the precision-recall curve, the F1 at the best score threshold, and the IoU
of each detection with its matched GT (tools/analysis/retail_*.py).
"""
from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` ``(N, 4)`` and ``b`` ``(M, 4)`` (x1, y1, x2, y2
    pixels) -> ``(N, M)``; zero-area pairs give 0."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(-1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(-1)
    union = area_a[:, None] + area_b[None] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match_image(pred_boxes: np.ndarray, pred_scores: np.ndarray,
                gt_boxes: np.ndarray,
                iou_thr: float = 0.5) -> Tuple[np.ndarray, np.ndarray]:
    """Greedy match of one image.

    Args:
        pred_boxes: ``(N, 4)`` detections; pred_scores: ``(N,)``.
        gt_boxes: ``(M, 4)`` ground truth.
        iou_thr: lowest IoU of a match.

    Returns:
        ``matched_iou`` ``(N,)``: IoU with the matched GT, 0 when unmatched;
        ``matched_gt`` ``(N,)``: index of the matched GT or -1. Both in the
        order of ``pred_boxes``.
    """
    n = len(pred_boxes)
    matched_iou = np.zeros(n)
    matched_gt = np.full(n, -1)
    if n == 0 or len(gt_boxes) == 0:
        return matched_iou, matched_gt
    ious = box_iou(pred_boxes, gt_boxes)
    taken = np.zeros(len(gt_boxes), dtype=bool)
    for i in np.argsort(-pred_scores, kind='stable'):
        cand = np.where(taken, -1.0, ious[i])
        j = int(cand.argmax())
        if cand[j] >= iou_thr:
            taken[j] = True
            matched_gt[i], matched_iou[i] = j, cand[j]
    return matched_iou, matched_gt


@dataclass
class MatchedDetections:
    """Detections of a whole dataset: ``scores`` and ``matched_iou`` ``(D,)``
    (0 = false positive), and the number of GT boxes."""
    scores: np.ndarray
    matched_iou: np.ndarray
    num_gts: int

    def precision_recall(self) -> Dict[str, np.ndarray]:
        """Precision and recall of the detections scoring >= each threshold
        (thresholds = detection scores, descending)."""
        order = np.argsort(-self.scores, kind='stable')
        tp = np.cumsum(self.matched_iou[order] > 0)
        fp = np.cumsum(self.matched_iou[order] <= 0)
        precision = tp / np.maximum(tp + fp, 1)
        recall = tp / max(self.num_gts, 1)
        return dict(thresholds=self.scores[order], precision=precision,
                    recall=recall)

    def best_f1(self) -> Dict[str, float]:
        """F1 maximised over the score threshold, with its threshold,
        precision and recall."""
        pr = self.precision_recall()
        if len(pr['thresholds']) == 0:
            return dict(f1=0.0, threshold=float('nan'), precision=0.0,
                        recall=0.0)
        p, r = pr['precision'], pr['recall']
        f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0)
        # Equal scores are one threshold: only evaluate the last of a run.
        last = np.r_[pr['thresholds'][1:] != pr['thresholds'][:-1], True]
        i = int(np.argmax(np.where(last, f1, -1)))
        return dict(f1=float(f1[i]), threshold=float(pr['thresholds'][i]),
                    precision=float(p[i]), recall=float(r[i]))


def match_dataset(images: Iterable[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                  iou_thr: float = 0.5) -> MatchedDetections:
    """Match every image of ``(pred_boxes, pred_scores, gt_boxes)`` triples."""
    scores, ious, num_gts = [], [], 0
    for pred_boxes, pred_scores, gt_boxes in images:
        matched_iou, _ = match_image(pred_boxes, pred_scores, gt_boxes,
                                     iou_thr)
        scores.append(np.asarray(pred_scores, dtype=np.float64))
        ious.append(matched_iou)
        num_gts += len(gt_boxes)
    return MatchedDetections(
        np.concatenate(scores) if scores else np.zeros(0),
        np.concatenate(ious) if ious else np.zeros(0), num_gts)


def load_dumped_predictions(
        path: str) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(pred_boxes, pred_scores, gt_boxes)`` per image from the ``.pkl`` of
    ``tools/test.py --out`` (mmengine's ``DumpResults``).

    Predictions are in original-image pixels (mmdet rescales them); the GT is
    read from each sample's ``instances`` metainfo, which the retail test
    pipelines pack, in the same pixels.

    Raises:
        ValueError: the file holds no samples, or a sample lacks
            ``pred_instances`` or ``instances`` (named by its index).
    """
    from mmengine.fileio import load
    samples = load(path)
    if not samples:
        raise ValueError(f'{path}: no samples in the dump')
    images = []
    for i, sample in enumerate(samples):
        for key in ('pred_instances', 'instances'):
            if key not in sample:
                raise ValueError(
                    f'{path}: sample {i} has no {key!r}; dump it with '
                    'tools/test.py --out using a configs/retail config '
                    "(its test pipeline packs 'instances')")
        pred = sample['pred_instances']
        gt = [inst['bbox'] for inst in sample['instances']
              if not inst.get('ignore_flag', 0)]
        images.append((np.asarray(pred['bboxes'], dtype=np.float64),
                       np.asarray(pred['scores'], dtype=np.float64),
                       np.asarray(gt, dtype=np.float64).reshape(-1, 4)))
    return images
