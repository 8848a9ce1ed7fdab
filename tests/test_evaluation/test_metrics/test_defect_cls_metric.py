import math

import pytest
import torch
from mmengine.evaluator import Evaluator

from mtl_plugin.evaluation.metrics import DefectClsMetric
from mtl_plugin.evaluation.metrics.defect_cls_metric import auroc, average_precision
from mtl_plugin.structures import MultiTaskDataSample


def _samples(p_defect, labels):
    out = []
    for p, y in zip(p_defect, labels):
        s = MultiTaskDataSample()
        s.pred_score = torch.tensor([1 - p, p])
        s.pred_label = torch.tensor([int(p > 0.5)])
        s.gt_label = torch.tensor([y])
        out.append(s)
    return out


def test_known_values():
    # preds [1, 0, 1, 0, 1] vs labels [1, 1, 0, 0, 1]: TP 2, FN 1, FP 1, TN 1
    ev = Evaluator([DefectClsMetric()])
    ev.process(_samples([0.9, 0.4, 0.6, 0.2, 0.8], [1, 1, 0, 0, 1]))
    m = ev.evaluate(5)
    assert m['cls/accuracy'] == pytest.approx(0.6)
    assert m['cls/precision'] == pytest.approx(2 / 3)
    assert m['cls/recall'] == pytest.approx(2 / 3)
    assert m['cls/f1'] == pytest.approx(2 / 3)
    # ranking P P N P N: precision at each positive 1, 1, 3/4
    assert m['cls/ap'] == pytest.approx((1 + 1 + 0.75) / 3)
    # 5 of 6 positive-negative pairs ordered correctly
    assert m['cls/auroc'] == pytest.approx(5 / 6)
    assert m['cls/num_images'] == 5


def test_auroc_ties_and_single_class():
    assert auroc([0.5, 0.5], [1, 0]) == pytest.approx(0.5)
    assert auroc([0.1, 0.7, 0.7, 0.9], [0, 1, 0, 1]) == pytest.approx(3.5 / 4)
    assert math.isnan(auroc([0.2, 0.3], [1, 1]))
    ev = Evaluator([DefectClsMetric()])
    ev.process(_samples([0.9, 0.2], [1, 1]))
    m = ev.evaluate(2)
    assert math.isnan(m['cls/ap']) and math.isnan(m['cls/auroc'])
    assert m['cls/recall'] == pytest.approx(0.5)


def test_missing_fields_raise():
    s = MultiTaskDataSample()
    s.gt_label = torch.tensor([1])
    with pytest.raises(KeyError, match='pred_score'):
        DefectClsMetric().process({}, [s.to_dict()])


def test_average_precision_is_tie_aware():
    # one threshold: precision 2/4 at recall 1, whatever the order
    assert average_precision([0.5] * 4, [1, 0, 0, 1]) == pytest.approx(0.5)
    assert average_precision([0.5] * 4, [0, 1, 1, 0]) == pytest.approx(0.5)
    # thresholds .9 (P 1, R .5), .5 (4 predicted, 2 TP: P .5, R 1), .1 (R 1)
    assert average_precision([0.9, 0.5, 0.5, 0.5, 0.1], [1, 0, 1, 0, 0]) == pytest.approx(
        0.5 * 1 + 0.5 * 0.5)
    assert math.isnan(average_precision([0.3, 0.4], [0, 0]))


def _samples_at(p_defect, labels, thr):
    """Samples whose pred_label is the model's decision p >= thr."""
    out = _samples(p_defect, labels)
    for s, p in zip(out, p_defect):
        s.pred_label = torch.tensor([int(p >= thr)])
    return out


def test_operating_point_keys_known_values():
    # the operating-point example of tests/test_evaluation/test_operating_point.py
    p = [0.9, 0.8, 0.8, 0.6, 0.4, 0.4, 0.3, 0.1]
    y = [1, 1, 0, 1, 0, 1, 0, 0]
    ev = Evaluator([DefectClsMetric(fprs=(0.01, 0.25), ece_bins=4)])
    ev.process(_samples_at(p, y, 0.5))
    m = ev.evaluate(len(p))
    assert m['cls/recall@fpr1'] == 0.25
    assert m['cls/recall@fpr25'] == 0.75
    assert m['cls/fpr@recall100'] == 0.5
    assert m['cls/best_f1'] == pytest.approx(0.8)
    assert m['cls/best_f1_thr'] == pytest.approx(0.4)
    # 4 bins (no score on a bin edge, scores are float32): {.1}: |0 - .1|;
    # {.3, .4, .4}: 3 * |1/3 - 1.1/3|; {.6}: |1 - .6|; {.8, .8, .9}:
    # 3 * |2/3 - 2.5/3|
    assert m['cls/ece'] == pytest.approx((0.1 + 0.1 + 0.4 + 0.5) / 8)
    # at 0.5: TP 3 (.9 .8 .6), FP 1 (.8), FN 1 (.4)
    assert m['cls/recall'] == pytest.approx(0.75)
    assert m['cls/precision'] == pytest.approx(0.75)


def test_decision_follows_pred_label_threshold():
    p = [0.9, 0.8, 0.8, 0.6, 0.4, 0.4, 0.3, 0.1]
    y = [1, 1, 0, 1, 0, 1, 0, 0]
    ev = Evaluator([DefectClsMetric()])
    ev.process(_samples_at(p, y, 0.4))
    m = ev.evaluate(len(p))
    # at 0.4: TP 4, FP 2, FN 0, TN 2
    assert m['cls/recall'] == 1.0
    assert m['cls/precision'] == pytest.approx(4 / 6)
    assert m['cls/accuracy'] == pytest.approx(0.75)
    assert m['cls/f1'] == pytest.approx(m['cls/best_f1'])


def test_without_pred_label_uses_argmax_and_checks_args():
    ev = Evaluator([DefectClsMetric()])
    samples = [s.to_dict() for s in _samples([0.9, 0.3], [1, 0])]
    for s in samples:
        del s['pred_label']
    ev.process(samples)
    assert ev.evaluate(2)['cls/accuracy'] == 1.0
    with pytest.raises(ValueError, match='fractions'):
        DefectClsMetric(fprs=(5, ))
    assert DefectClsMetric.fpr_key(0.005) == 'recall@fpr0.5'
