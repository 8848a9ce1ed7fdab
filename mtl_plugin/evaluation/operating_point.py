"""Operating point of a binary defect classifier: threshold sweeps on scores.

A threshold ``t`` predicts *defect iff score >= t*. Every function sweeps the
distinct score values as thresholds (scikit-learn's ``roc_curve`` convention),
highest first, plus ``+inf`` (nothing predicted defect), so tied scores always
fall on the same side of a threshold and results do not depend on the order
of the images. A threshold returned here can be passed as it is to
``model.test_cfg.score_thr`` and reproduces the counts on the same scores.

Shapes: ``score`` ``(N,)`` float scores of the defect class (probabilities for
:func:`expected_calibration_error`), ``target`` ``(N,)`` 0/1 labels
(1 = defect). Rates are fractions in [0, 1]; NaN where undefined (no defect
image for a recall, no normal image for a false-positive rate).
"""
from typing import Dict, NamedTuple

import numpy as np


class ThresholdSweep(NamedTuple):
    """Counts at each threshold, highest threshold first.

    ``thresholds`` ``(T,)`` (``thresholds[0] = +inf``), ``tp``/``fp`` ``(T,)``
    images predicted defect that are defect / normal, ``num_pos`` / ``num_neg``
    the number of defect / normal images.
    """

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    num_pos: int
    num_neg: int

    @property
    def tpr(self) -> np.ndarray:
        """Recall of the defect class at each threshold."""
        return self.tp / self.num_pos if self.num_pos else np.full(len(self.tp), np.nan)

    @property
    def fpr(self) -> np.ndarray:
        """Fraction of normal images flagged at each threshold."""
        return self.fp / self.num_neg if self.num_neg else np.full(len(self.fp), np.nan)

    @property
    def precision(self) -> np.ndarray:
        """TP / (TP + FP); 1 where nothing is predicted defect (the ``+inf``
        threshold), as in a PR curve's first point."""
        predicted = self.tp + self.fp
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.where(predicted > 0, self.tp / np.maximum(predicted, 1), 1.0)

    @property
    def f1(self) -> np.ndarray:
        """F1 of the defect class at each threshold (0 where TP = 0)."""
        denom = 2 * self.tp + self.fp + (self.num_pos - self.tp)
        return np.where(self.tp > 0, 2 * self.tp / np.maximum(denom, 1), 0.0)


def _as_arrays(score, target):
    score = np.asarray(score, dtype=np.float64).reshape(-1)
    target = np.asarray(target).reshape(-1).astype(bool)
    if score.shape != target.shape:
        raise ValueError(f'score {score.shape} and target {target.shape} differ in length')
    if not np.isfinite(score).all():
        raise ValueError('scores must be finite (got NaN or inf)')
    return score, target


def threshold_sweep(score, target) -> ThresholdSweep:
    """Counts at ``+inf`` and at every distinct score, highest first."""
    score, target = _as_arrays(score, target)
    thresholds = np.r_[np.inf, np.unique(score)[::-1]]
    # images with score >= t, for every t: counts of sorted scores
    pos = np.sort(score[target])
    neg = np.sort(score[~target])
    tp = len(pos) - np.searchsorted(pos, thresholds, side='left')
    fp = len(neg) - np.searchsorted(neg, thresholds, side='left')
    return ThresholdSweep(thresholds, tp, fp, len(pos), len(neg))


def counts_at(score, target, threshold: float) -> Dict[str, float]:
    """Confusion counts and rates of ``score >= threshold``.

    Returns ``tp``, ``fp``, ``fn``, ``tn`` (image counts), ``recall``,
    ``precision`` (NaN when nothing is flagged), ``f1``, ``fpr``,
    ``accuracy`` and ``threshold``.
    """
    score, target = _as_arrays(score, target)
    pred = score >= threshold
    tp = int((pred & target).sum())
    fp = int((pred & ~target).sum())
    fn = int((~pred & target).sum())
    tn = int((~pred & ~target).sum())
    recall = tp / (tp + fn) if tp + fn else float('nan')
    precision = tp / (tp + fp) if tp + fp else float('nan')
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float('nan')
    return dict(threshold=float(threshold), tp=tp, fp=fp, fn=fn, tn=tn,
                recall=recall, precision=precision, f1=f1,
                fpr=fp / (fp + tn) if fp + tn else float('nan'),
                accuracy=(tp + tn) / len(score) if len(score) else float('nan'))


def threshold_for_fpr(score, target, max_fpr: float) -> float:
    """Lowest threshold whose false-positive rate is <= ``max_fpr`` (the one
    with the highest recall under that budget); ``+inf`` when even the
    highest score exceeds it. NaN without normal images."""
    sweep = threshold_sweep(score, target)
    if sweep.num_neg == 0:
        return float('nan')
    ok = np.nonzero(sweep.fpr <= max_fpr + 1e-12)[0]
    return float(sweep.thresholds[ok[-1]])


def recall_at_fpr(score, target, max_fpr: float) -> float:
    """Highest recall of a threshold with false-positive rate <= ``max_fpr``."""
    thr = threshold_for_fpr(score, target, max_fpr)
    if np.isnan(thr):
        return float('nan')
    return counts_at(score, target, thr)['recall']


def threshold_for_recall(score, target, min_recall: float) -> float:
    """Highest threshold whose recall is >= ``min_recall`` (the one with the
    fewest false alarms). NaN without defect images."""
    sweep = threshold_sweep(score, target)
    if sweep.num_pos == 0:
        return float('nan')
    ok = np.nonzero(sweep.tpr >= min_recall - 1e-12)[0]
    return float(sweep.thresholds[ok[0]])


def fpr_at_full_recall(score, target) -> float:
    """False-positive rate of the highest threshold that catches every defect
    (the lowest defect score): the price of missing nothing."""
    score, target = _as_arrays(score, target)
    if not target.any() or target.all():
        return float('nan')
    return float((score[~target] >= score[target].min()).mean())


def best_f1_threshold(score, target) -> float:
    """Threshold of the highest F1 (the highest such threshold on ties).
    NaN without defect images."""
    sweep = threshold_sweep(score, target)
    if sweep.num_pos == 0:
        return float('nan')
    return float(sweep.thresholds[int(np.argmax(sweep.f1))])


def expected_calibration_error(prob, target, num_bins: int = 15) -> float:
    """Expected calibration error of the defect probability.

    ``sum_b (n_b / N) * |mean(target in b) - mean(prob in b)|`` over
    ``num_bins`` equal-width bins of [0, 1] (the last one closed; Naeini et
    al. 2015, Guo et al. 2017). It bins the defect probability itself, i.e. it
    asks "of the images scored 0.8, are 80 % defects"; Guo et al. bin the
    top-label confidence, which for two classes folds ``p`` and ``1 - p``
    together.
    """
    prob, target = _as_arrays(prob, target)
    if len(prob) == 0:
        return float('nan')
    if prob.min() < 0 or prob.max() > 1:
        raise ValueError('expected_calibration_error needs probabilities in [0, 1]')
    if num_bins < 1:
        raise ValueError(f'num_bins={num_bins}; expected >= 1')
    bins = np.minimum((prob * num_bins).astype(int), num_bins - 1)
    ece = 0.0
    for b in np.unique(bins):
        inside = bins == b
        ece += inside.mean() * abs(target[inside].mean() - prob[inside].mean())
    return float(ece)
