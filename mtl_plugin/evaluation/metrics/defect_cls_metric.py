"""Image-level metrics of the defect class for a binary normal/defect classifier."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpretrain.evaluation.metrics import Accuracy, SingleLabelMetric

from mtl_plugin.registry import METRICS

from ..operating_point import (
    best_f1_threshold,
    counts_at,
    expected_calibration_error,
    fpr_at_full_recall,
    recall_at_fpr,
)


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
    """Accuracy, precision, recall, F1, AP, AUROC and the operating-point
    figures of the defect class.

    mmpretrain's ``SingleLabelMetric`` averages precision/recall/F1 over
    classes (or returns per-class lists) and has no AUROC; its
    ``AveragePrecision`` likewise averages over classes. For a defect
    inspector the numbers that matter are those of the *defect* class, as
    flat scalars, so this metric reuses mmpretrain's computations
    (``Accuracy.calculate``, ``SingleLabelMetric.calculate`` with
    ``average=None``) on the model's decisions, picks the class ``pos_index``
    and adds a tie-aware AP (:func:`average_precision`), AUROC
    (:func:`auroc`) and the threshold sweeps of
    :mod:`mtl_plugin.evaluation.operating_point`. Values are fractions in
    [0, 1] (mmpretrain reports percentages).

    Reads ``pred_score`` ``(num_classes,)`` probabilities, ``gt_label``
    ``(1,)`` and ``pred_label`` ``(1,)`` of each sample: accuracy, precision,
    recall and F1 are those of the model's decision (``GAINMTL`` flags a
    defect iff its defect probability >= ``test_cfg.score_thr``), or of the
    argmax of ``pred_score`` for samples without ``pred_label``. Keys (prefix
    ``cls``):

    * ``accuracy``, ``precision``, ``recall``, ``f1``, ``ap``, ``auroc``,
      ``num_images``;
    * ``recall@fpr<p>`` for each ``p`` % of ``fprs`` (``recall@fpr1``,
      ``recall@fpr5`` by default): the highest recall of a threshold that
      flags at most that fraction of the normal images;
    * ``fpr@recall100``: the fraction of normal images flagged by the
      highest threshold that catches every defect;
    * ``best_f1``, ``best_f1_thr``: the highest F1 over all thresholds of the
      defect probability and that threshold (picked on the evaluated images,
      hence optimistic; use ``tools/analysis/defect_threshold.py`` on a
      validation dump to choose one);
    * ``ece``: expected calibration error of the defect probability
      (``ece_bins`` equal-width bins, see
      :func:`~mtl_plugin.evaluation.operating_point.expected_calibration_error`).

    Threshold figures are NaN when the images hold one class only.

    Args:
        pos_index: index of the defect class in ``pred_score``.
        fprs: false-positive rates (fractions) of the ``recall@fpr`` keys.
        ece_bins: number of calibration bins.
        collect_device: ``'cpu'`` or ``'gpu'``.
        prefix: key prefix (default ``'cls'``).
    """

    default_prefix: Optional[str] = 'cls'

    def __init__(self, pos_index: int = 1,
                 fprs: Sequence[float] = (0.01, 0.05),
                 ece_bins: int = 15,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        for fpr in fprs:
            if not 0.0 <= fpr <= 1.0:
                raise ValueError(f'DefectClsMetric: fprs holds {fpr}; expected '
                                 'fractions in [0, 1] (0.01 = 1 %)')
        if ece_bins < 1:
            raise ValueError(f'DefectClsMetric: ece_bins={ece_bins}; expected >= 1')
        self.pos_index = pos_index
        self.fprs = tuple(float(f) for f in fprs)
        self.ece_bins = int(ece_bins)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for sample in data_samples:
            get = sample.get if isinstance(sample, dict) else \
                (lambda k, s=sample: getattr(s, k, None))
            score, label = get('pred_score'), get('gt_label')
            if score is None or label is None:
                raise KeyError('DefectClsMetric needs pred_score and gt_label in '
                               'each data sample')
            score = torch.as_tensor(score).detach().float().cpu()
            pred = get('pred_label')
            self.results.append(dict(
                score=score,
                pred=int(score.argmax()) if pred is None else
                int(torch.as_tensor(pred).view(-1)[0]),
                label=int(torch.as_tensor(label).view(-1)[0])))

    @staticmethod
    def fpr_key(fpr: float) -> str:
        """``recall@fpr<percent>``, e.g. ``recall@fpr1`` for 0.01."""
        return f'recall@fpr{round(fpr * 100, 6):g}'

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        scores = torch.stack([r['score'] for r in results])  # (N, C)
        labels = torch.tensor([r['label'] for r in results])  # (N,)
        preds = torch.tensor([r['pred'] for r in results])  # (N,)
        num_classes = scores.shape[1]
        if not 0 <= self.pos_index < num_classes:
            raise ValueError(f'DefectClsMetric: pos_index={self.pos_index} but '
                             f'pred_score has {num_classes} classes')
        acc = Accuracy.calculate(preds, labels)  # (1,) for label input
        precision, recall, f1, _ = SingleLabelMetric.calculate(
            preds, labels, average=None, num_classes=num_classes)
        target = (labels == self.pos_index).numpy()
        pos_score = scores[:, self.pos_index].numpy()
        one_class = target.all() or not target.any()
        if one_class:
            MMLogger.get_current_instance().warning(
                'DefectClsMetric: only one class among the evaluated images; '
                'AP/AUROC and the threshold figures are undefined (NaN)')
        nan = float('nan')
        metrics = dict(
            accuracy=float(acc[0]) / 100.0,
            precision=float(precision[self.pos_index]) / 100.0,
            recall=float(recall[self.pos_index]) / 100.0,
            f1=float(f1[self.pos_index]) / 100.0,
            ap=nan if one_class else average_precision(pos_score, target),
            auroc=auroc(pos_score, target))
        for fpr in self.fprs:
            metrics[self.fpr_key(fpr)] = nan if one_class else \
                recall_at_fpr(pos_score, target, fpr)
        best_thr = nan if one_class else best_f1_threshold(pos_score, target)
        metrics.update({
            'fpr@recall100': fpr_at_full_recall(pos_score, target),
            'best_f1': nan if one_class else
            counts_at(pos_score, target, best_thr)['f1'],
            'best_f1_thr': best_thr,
            'ece': expected_calibration_error(pos_score, target, self.ece_bins),
            'num_images': len(results)})
        return metrics
