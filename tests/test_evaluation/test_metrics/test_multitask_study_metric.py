import numpy as np
import pytest
import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.evaluation.metrics import MultiTaskStudyMetric, study_report


def _results():
    # 4 samples: A right on 0,1,2; B right on 0 and 3
    a_gt, a_pred = [0, 1, 2, 0], [0, 1, 2, 1]
    b_gt, b_pred = [0, 1, 1, 2], [0, 0, 0, 2]
    out = []
    for i in range(4):
        out.append(dict(gt_a=a_gt[i], pred_a=np.eye(3)[a_pred[i]],
                        gt_b=b_gt[i], pred_b=np.eye(4)[b_pred[i]] * 0.7 + 0.075,
                        gt_c=0.5, pred_c=np.array([0.5 + 0.1 * i])))
    return out


def test_report_values_by_hand():
    r = study_report(_results(), dict(a=3, b=4), ['c'], ('a', 'b'))
    assert r['a/accuracy'] == pytest.approx(0.75)
    assert r['b/accuracy'] == pytest.approx(0.5)
    assert r['b/chance'] == pytest.approx(0.25)
    assert r['b/accuracy_given_a_correct'] == pytest.approx(1 / 3)
    assert r['b/accuracy_given_a_wrong'] == pytest.approx(1.0)
    assert r['c/mae'] == pytest.approx(0.15)
    assert r['c/mae_of_mean'] == pytest.approx(0.0)
    assert r['b/gt_counts'] == [1, 2, 1, 0]
    assert r['b/pred_counts'] == [3, 0, 1, 0]
    assert r['b/confusion'][1, 0] == 2 and r['b/confusion'].sum() == 4
    p = np.array([0.775, 0.075, 0.075, 0.075])
    assert r['b/pred_entropy'] == pytest.approx(-(p * np.log(p)).sum())
    h = np.array([0.75, 0.25])
    assert r['b/label_entropy'] == pytest.approx(-(h * np.log(h)).sum())
    assert r['b/max_entropy'] == pytest.approx(np.log(4))


def test_metric_keys_prefixed():
    metric = MultiTaskStudyMetric(cls_tasks=dict(a=3, b=4), reg_tasks=['c'],
                                  conditional=('a', 'b'), prefix='study')
    samples = [{k: torch.as_tensor(v).reshape(-1) if k.startswith('gt') else
                torch.as_tensor(v) for k, v in r.items()} for r in _results()]
    metric.process({}, samples)
    out = metric.evaluate(4)
    assert out['study/a/accuracy'] == pytest.approx(0.75)
    assert out['study/c/mae'] == pytest.approx(0.15)
    assert out['study/b/accuracy_given_a_correct'] == pytest.approx(1 / 3)
