import math
import random

import pytest

from mtl_plugin.evaluation.operating_point import (
    best_f1_threshold,
    counts_at,
    expected_calibration_error,
    fpr_at_full_recall,
    recall_at_fpr,
    threshold_for_fpr,
    threshold_for_recall,
    threshold_sweep,
)

# Hand-made scores with ties across classes (0.8 and 0.4 are held by a defect
# and a normal image). Thresholds t (predict defect iff score >= t):
#   t     inf  .9   .8   .6   .4   .3   .1
#   TP    0    1    2    3    4    4    4
#   FP    0    0    1    1    2    3    4
SCORE = [0.9, 0.8, 0.8, 0.6, 0.4, 0.4, 0.3, 0.1]
LABEL = [1, 1, 0, 1, 0, 1, 0, 0]


def test_sweep_counts_known():
    sweep = threshold_sweep(SCORE, LABEL)
    assert list(sweep.thresholds) == [math.inf, 0.9, 0.8, 0.6, 0.4, 0.3, 0.1]
    assert list(sweep.tp) == [0, 1, 2, 3, 4, 4, 4]
    assert list(sweep.fp) == [0, 0, 1, 1, 2, 3, 4]
    assert (sweep.num_pos, sweep.num_neg) == (4, 4)
    # F1 = 2TP / (2TP + FP + FN): .4, 4/7, .75, .8, 8/11, 8/12
    assert list(sweep.f1) == pytest.approx([0, 0.4, 4 / 7, 0.75, 0.8, 8 / 11, 8 / 12])


def test_known_operating_points():
    assert threshold_for_fpr(SCORE, LABEL, 0.0) == 0.9
    assert recall_at_fpr(SCORE, LABEL, 0.0) == 0.25
    assert recall_at_fpr(SCORE, LABEL, 0.01) == 0.25
    assert recall_at_fpr(SCORE, LABEL, 0.25) == 0.75  # exactly on the budget
    assert recall_at_fpr(SCORE, LABEL, 0.3) == 0.75
    assert recall_at_fpr(SCORE, LABEL, 0.5) == 1.0
    assert threshold_for_recall(SCORE, LABEL, 0.7) == 0.6
    assert threshold_for_recall(SCORE, LABEL, 1.0) == 0.4
    # every defect caught at t = 0.4: normals 0.8 and the tied 0.4 flagged
    assert fpr_at_full_recall(SCORE, LABEL) == 0.5
    assert best_f1_threshold(SCORE, LABEL) == 0.4
    c = counts_at(SCORE, LABEL, 0.4)
    assert (c['tp'], c['fp'], c['fn'], c['tn']) == (4, 2, 0, 2)
    assert c['f1'] == pytest.approx(0.8) and c['accuracy'] == 0.75


def test_ties_inside_one_class_and_all_tied():
    # all four tied: the only thresholds are inf (nothing) and 0.5 (all)
    assert fpr_at_full_recall([0.5] * 4, [1, 0, 0, 1]) == 1.0
    assert recall_at_fpr([0.5] * 4, [1, 0, 0, 1], 0.9) == 0.0
    # F1 ties (2/3 at t=.9 and at t=.5): the higher threshold wins
    assert best_f1_threshold([0.9, 0.7, 0.6, 0.5], [1, 0, 0, 1]) == 0.9


def test_undefined_cases():
    assert math.isnan(threshold_for_fpr([0.2, 0.3], [1, 1], 0.1))
    assert math.isnan(threshold_for_recall([0.2, 0.3], [0, 0], 0.5))
    assert math.isnan(fpr_at_full_recall([0.2, 0.3], [1, 1]))
    assert math.isnan(best_f1_threshold([0.2, 0.3], [0, 0]))
    with pytest.raises(ValueError, match='finite'):
        threshold_sweep([0.2, float('nan')], [1, 0])
    with pytest.raises(ValueError, match='differ'):
        threshold_sweep([0.2], [1, 0])


def test_ece_known():
    # 10 bins: {.05} |0-.05|, {.15} |1-.15|, {.85} |1-.85|, {.9, .95}
    # |.5-.925| (two images): (.05 + .85 + .15) / 5 + .425 * 2 / 5
    prob = [0.05, 0.15, 0.85, 0.95, 0.9]
    assert expected_calibration_error(prob, [0, 1, 1, 1, 0], num_bins=10) == \
        pytest.approx(0.38)
    # perfectly calibrated within each bin; 1.0 falls into the last bin
    assert expected_calibration_error([0.0, 0.0, 1.0, 1.0], [0, 0, 1, 1]) == 0.0
    with pytest.raises(ValueError, match='probabilities'):
        expected_calibration_error([1.5], [1])


# ---------------------------------------------------------------- reference
def _ref_counts(score, label, t):
    tp = sum(1 for s, y in zip(score, label) if s >= t and y == 1)
    fp = sum(1 for s, y in zip(score, label) if s >= t and y == 0)
    return tp, fp


def _ref_points(score, label):
    """Brute force: every candidate threshold (inf and each score value)."""
    pos, neg = sum(label), len(label) - sum(label)
    out = []
    for t in [math.inf] + sorted(set(score), reverse=True):
        tp, fp = _ref_counts(score, label, t)
        f1 = 2 * tp / (2 * tp + fp + pos - tp) if tp else 0.0
        out.append((t, tp / pos, fp / neg, f1))
    return out


@pytest.mark.parametrize('seed', range(5))
def test_against_brute_force_with_ties(seed):
    rng = random.Random(seed)
    n = 40
    score = [round(rng.random(), 1) for _ in range(n)]  # many ties
    label = [int(rng.random() < 0.2 + 0.6 * s) for s in score]
    points = _ref_points(score, label)
    for budget in (0.0, 0.01, 0.05, 0.2, 0.5):
        best = max(tpr for _, tpr, fpr, _ in points if fpr <= budget)
        assert recall_at_fpr(score, label, budget) == pytest.approx(best)
    for goal in (0.3, 0.8, 1.0):
        thr = max(t for t, tpr, _, _ in points if tpr >= goal)
        assert threshold_for_recall(score, label, goal) == thr
    top = max(f1 for *_, f1 in points)
    thr = max(t for t, _, _, f1 in points if f1 == top)
    assert best_f1_threshold(score, label) == thr
    lowest_pos = min(s for s, y in zip(score, label) if y)
    assert fpr_at_full_recall(score, label) == pytest.approx(
        _ref_counts(score, label, lowest_pos)[1] / (n - sum(label)))
    # ECE with explicit bins [k/10, (k+1)/10)
    ece = 0.0
    for k in range(10):
        inside = [(s, y) for s, y in zip(score, label)
                  if k / 10 <= s < (k + 1) / 10 or (k == 9 and s == 1.0)]
        if inside:
            gap = sum(y for _, y in inside) / len(inside) - \
                sum(s for s, _ in inside) / len(inside)
            ece += len(inside) / n * abs(gap)
    assert expected_calibration_error(score, label, num_bins=10) == pytest.approx(ece)
