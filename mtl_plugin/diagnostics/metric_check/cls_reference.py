"""References of classification metrics in numpy: top-1 accuracy and macro
precision / recall / F1 (mmpretrain ``Accuracy`` / ``SingleLabelMetric``), and
the defect-class numbers of :class:`DefectClsMetric` (precision, recall, F1,
AP, AUROC of one class)."""
from typing import Dict

import numpy as np


def numpy_cls(labels: np.ndarray, scores: np.ndarray) -> Dict[str, float]:
    """Top-1 accuracy and macro precision / recall / F1 (fractions).

    Args:
        labels: ``(N,)`` class indices.
        scores: ``(N, C)`` class scores.
    """
    pred = scores.argmax(1)
    c = scores.shape[1]
    prec, rec, f1 = [], [], []
    for k in range(c):
        tp = np.sum((pred == k) & (labels == k))
        p = tp / max(np.sum(pred == k), 1)
        r = tp / max(np.sum(labels == k), 1)
        prec.append(p)
        rec.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return dict(top1=float(np.mean(pred == labels)), precision=float(np.mean(prec)),
                recall=float(np.mean(rec)), f1=float(np.mean(f1)))


def numpy_binary_cls(labels: np.ndarray, scores: np.ndarray,
                     pos_index: int) -> Dict[str, float]:
    """Accuracy and the ``pos_index`` class's precision, recall, F1, AP and
    AUROC (fractions).

    AUROC counts every (positive, negative) pair: 1 when the positive scores
    higher, 1/2 on a tie. AP is sum_k (R_k - R_{k-1}) P_k over the distinct
    scores of the class, from the highest down (tied images form one
    threshold).

    Args:
        labels: ``(N,)`` class indices.
        scores: ``(N, C)`` class scores; the prediction is the argmax.
        pos_index: the class whose numbers are reported.
    """
    pred = scores.argmax(1)
    positive = labels == pos_index
    called = pred == pos_index
    tp = float(np.sum(called & positive))
    precision = tp / max(called.sum(), 1)
    recall = tp / max(positive.sum(), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    s = scores[:, pos_index].astype(np.float64)
    pos, neg = s[positive], s[~positive]
    pairs = pos[:, None] - neg[None, :]
    auroc = float(np.mean((pairs > 0) + 0.5 * (pairs == 0)))
    ap, prev_recall = 0.0, 0.0
    for t in np.unique(s)[::-1]:
        above = s >= t
        hits = float(np.sum(above & positive))
        r = hits / positive.sum()
        ap += (r - prev_recall) * hits / above.sum()
        prev_recall = r
    return dict(accuracy=float(np.mean(pred == labels)), precision=float(precision),
                recall=float(recall), f1=float(f1), ap=float(ap), auroc=auroc)
