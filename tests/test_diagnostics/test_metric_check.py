import os.path as osp

import numpy as np
from diag_helpers import load_cfg, tiny_cfg

from mtl_plugin.diagnostics import metric_check
from mtl_plugin.diagnostics.metric_check import (numpy_cls, numpy_iou,
                                                 pycocotools_ap, synthetic_det)

MIM = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')


def test_numpy_iou_known_values():
    gt = np.array([[0, 0, 1, 1], [0, 0, 1, 255]])
    pred = np.array([[0, 1, 1, 1], [0, 0, 1, 0]])
    iou = numpy_iou([pred], [gt], 2, 255)
    # class 0: tp 3, gt 4, pred 3 -> 3/4; class 1: tp 3, gt 3, pred 4 -> 3/4
    np.testing.assert_allclose(iou, [0.75, 0.75])


def test_coco_reference_known_ap():
    gts, preds = synthetic_det(2)
    ap = pycocotools_ap(gts, preds, 64)
    # Class 0 exact (AP 1 at all IoU), class 1 shifted by 20 % of its width:
    # IoU 0.8/1.2 = 0.667 -> a hit for thresholds 0.5..0.65 (4 of 10).
    assert ap['mAP_50'] == 1.0
    np.testing.assert_allclose(ap['mAP_75'], 0.5, atol=1e-6)
    np.testing.assert_allclose(ap['mAP'], (1.0 + 0.4) / 2, atol=1e-6)


def test_numpy_cls_accuracy():
    labels = np.array([0, 1, 1, 0])
    scores = np.array([[.9, .1], [.2, .8], [.6, .4], [.7, .3]])
    assert numpy_cls(labels, scores)['top1'] == 0.75


def test_seg_metric_agrees():
    report = metric_check(tiny_cfg('tiny_seg.py'))
    assert report.errors == [], report.format()
    assert 'metric agreement' in report.topics('INFO')


def test_metric_ignoring_a_class_caught():
    report = metric_check(tiny_cfg('seg_metric_ignores_class.py'))
    assert 'metric disagreement' in report.topics('ERROR'), report.format()


def test_coco_metric_agrees_on_stock_retinanet():
    cfg = load_cfg(osp.join(MIM, 'retinanet', 'retinanet_r50_fpn_1x_coco.py'))
    cfg.val_evaluator.metric = 'bbox'
    report = metric_check(cfg)
    assert report.errors == [], report.format()
    assert len([f for f in report.findings if f.topic == 'metric agreement']) == 3


def test_classification_metrics_agree():
    from mmengine.config import Config
    cfg = Config(dict(
        default_scope='mmpretrain',
        model=dict(type='ImageClassifier',
                   head=dict(type='LinearClsHead', num_classes=3, in_channels=8)),
        val_evaluator=[dict(type='Accuracy', topk=(1, )),
                       dict(type='SingleLabelMetric')]))
    report = metric_check(cfg)
    assert report.errors == [], report.format()
    assert len([f for f in report.findings if f.topic == 'metric agreement']) == 4
