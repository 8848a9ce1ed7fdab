"""Image-level metrics of the defect class for a binary normal/defect classifier."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpretrain.evaluation.metrics import Accuracy, SingleLabelMetric

from mtl_plugin.registry import METRICS


def auroc(score: np.ndarray, target: np.ndarray) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative),
    ties counting 1/2 (Mann-Whitney U with average ranks). NaN when one class
    is absent.

    Args:
        score: ``(N,)`` scores of the positive class.
        target: ``(N,)`` 0/1 labels.
    """
    score = np.asarray(score, dtype=np.float64)
    target = np.asarray(target).astype(bool)
    n_pos, n_neg = int(target.sum()), int((~target).sum())
    if n_pos == 0 or n_neg == 0:
        return float('nan')
    order = np.argsort(score, kind='mergesort')
    sorted_scores = score[order]
    ranks = np.empty(len(score), dtype=np.float64)
    start = 0
    while start < len(score):  # average rank over each group of ties
        stop = start
        while stop + 1 < len(score) and sorted_scores[stop + 1] == sorted_scores[start]:
            stop += 1
        ranks[order[start:stop + 1]] = (start + stop) / 2.0 + 1.0
        start = stop + 1
    u = ranks[target].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def average_precision(score: np.ndarray, target: np.ndarray) -> float:
    """Average precision sum_k (R_k - R_{k-1}) P_k over the distinct score
    thresholds, from the highest down (the form of sklearn's
    ``average_precision_score``). Tied scores form one threshold, so the
    result does not depend on the order of the images; mmpretrain's
    ``_average_precision`` breaks ties by input order (four tied scores with
    labels 1, 0, 0, 1 give 0.75 there, 0.5 here). NaN without positives.

    Args:
        score: ``(N,)`` scores of the positive class.
        target: ``(N,)`` 0/1 labels.
    """
    score = np.asarray(score, dtype=np.float64)
    target = np.asarray(target).astype(bool)
    if not target.any():
        return float('nan')
    order = np.argsort(-score, kind='mergesort')
    score, target = score[order], target[order]
    tp = np.cumsum(target)
    # last index of each group of tied scores = one threshold
    last = np.r_[np.nonzero(np.diff(score))[0], len(score) - 1]
    precision = tp[last] / (last + 1)
    recall = tp[last] / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


@METRICS.register_module()
class DefectClsMetric(BaseMetric):
    """Accuracy, precision, recall, F1, AP and AUROC of the defect class.

    mmpretrain's ``SingleLabelMetric`` averages precision/recall/F1 over
    classes (or returns per-class lists) and has no AUROC; its
    ``AveragePrecision`` likewise averages over classes. For a defect
    inspector the numbers that matter are those of the *defect* class, as
    flat scalars, so this metric reuses mmpretrain's computations
    (``Accuracy.calculate``, ``SingleLabelMetric.calculate`` with
    ``average=None``), picks the class ``pos_index`` and adds a tie-aware AP
    (:func:`average_precision`) and AUROC (:func:`auroc`). Values are
    fractions in [0, 1] (mmpretrain reports percentages).

    Reads ``pred_score`` ``(num_classes,)`` probabilities and ``gt_label``
    ``(1,)`` of each sample. Keys (prefix ``cls``): ``accuracy``,
    ``precision``, ``recall``, ``f1``, ``ap``, ``auroc``, ``num_images``.

    Args:
        pos_index: index of the defect class in ``pred_score``.
        collect_device: ``'cpu'`` or ``'gpu'``.
        prefix: key prefix (default ``'cls'``).
    """

    default_prefix: Optional[str] = 'cls'

    def __init__(self, pos_index: int = 1, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.pos_index = pos_index

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for sample in data_samples:
            get = sample.get if isinstance(sample, dict) else \
                (lambda k, s=sample: getattr(s, k, None))
            score, label = get('pred_score'), get('gt_label')
            if score is None or label is None:
                raise KeyError('DefectClsMetric needs pred_score and gt_label in '
                               'each data sample')
            self.results.append(dict(
                score=torch.as_tensor(score).detach().float().cpu(),
                label=int(torch.as_tensor(label).view(-1)[0])))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        scores = torch.stack([r['score'] for r in results])  # (N, C)
        labels = torch.tensor([r['label'] for r in results])  # (N,)
        num_classes = scores.shape[1]
        if not 0 <= self.pos_index < num_classes:
            raise ValueError(f'DefectClsMetric: pos_index={self.pos_index} but '
                             f'pred_score has {num_classes} classes')
        acc = Accuracy.calculate(scores, labels, topk=(1, ))[0][0]
        # one (precision, recall, f1, support) tuple per threshold
        [(precision, recall, f1, _)] = SingleLabelMetric.calculate(
            scores, labels, thrs=(0., ), average=None, num_classes=num_classes)
        target = (labels == self.pos_index)
        pos_score = scores[:, self.pos_index]
        if target.all() or not target.any():
            MMLogger.get_current_instance().warning(
                'DefectClsMetric: only one class among the evaluated images; '
                'AP/AUROC are undefined (NaN)')
            ap = float('nan')
        else:
            ap = average_precision(pos_score.numpy(), target.numpy())
        return dict(
            accuracy=float(acc) / 100.0,
            precision=float(precision[self.pos_index]) / 100.0,
            recall=float(recall[self.pos_index]) / 100.0,
            f1=float(f1[self.pos_index]) / 100.0,
            ap=ap,
            auroc=auroc(pos_score.numpy(), target.numpy()),
            num_images=len(results))
