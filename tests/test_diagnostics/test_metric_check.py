import os.path as osp

import numpy as np

from mtl_plugin.diagnostics import metric_check
from mtl_plugin.diagnostics.metric_check.cam_reference import numpy_cam
from mtl_plugin.diagnostics.metric_check.cls_reference import numpy_binary_cls, numpy_cls
from mtl_plugin.diagnostics.metric_check.coco_reference import pycocotools_ap
from mtl_plugin.diagnostics.metric_check.seg_reference import numpy_iou
from mtl_plugin.diagnostics.metric_check.synthetic_inputs import synthetic_dense_det, synthetic_det

from diag_helpers import load_cfg, tiny_cfg
from mtl_test_utils import REPO

MIM = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')


def test_numpy_iou_known_values():
    gt = np.array([[0, 0, 1, 1], [0, 0, 1, 255]])
    pred = np.array([[0, 1, 1, 1], [0, 0, 1, 0]])
    iou = numpy_iou([pred], [gt], 2, 255)
    # class 0: tp 3, gt 4, pred 3 -> 3/4; class 1: tp 3, gt 3, pred 4 -> 3/4
    np.testing.assert_allclose(iou, [0.75, 0.75])


def test_coco_reference_known_ap():
    gts, preds = synthetic_det(2)
    ap = pycocotools_ap(gts, preds, [(64, 64)] * len(gts))
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


def test_binary_cls_reference_counts_ties():
    labels = np.array([1, 0, 1, 0])
    pos = np.array([0.8, 0.8, 0.3, 0.1])
    scores = np.stack([1 - pos, pos], 1)
    ref = numpy_binary_cls(labels, scores, pos_index=1)
    # Pairs (pos, neg): (.8, .8) tie 1/2, (.8, .1) 1, (.3, .8) 0, (.3, .1) 1.
    assert ref['auroc'] == 2.5 / 4
    # Thresholds .8 (2 images, 1 hit: R .5, P .5), .3 (3 images, 2 hits:
    # R 1, P 2/3): AP = .5 * .5 + .5 * 2/3.
    np.testing.assert_allclose(ref['ap'], 0.25 + 1 / 3)
    # argmax calls images 0 and 1 defects: precision 1/2, recall 1/2.
    assert (ref['precision'], ref['recall'], ref['accuracy']) == (0.5, 0.5, 0.5)


def test_cam_reference_known_values():
    mask = np.zeros((4, 4), np.uint8)
    mask[:2, :2] = 1
    cam = np.zeros((4, 4))
    cam[0, :3] = [5.0, 4.0, 3.0]  # min 0, max 5: normalised .8, .6 >= .5
    ref = numpy_cam([cam, cam, np.ones((4, 4))], [mask, mask, mask], [1, 0, 1],
                    defect_class=1, threshold=0.5, point_tolerance=0)
    # Image 1 is normal (not scored); image 2 has a constant map.
    assert ref['num_images'] == 2
    # {M >= .5} = 3 pixels, 2 inside the 4-pixel mask: IoU 2/5; constant: 0.
    np.testing.assert_allclose(ref['iou'], (2 / 5 + 0) / 2)
    assert ref['point_game'] == 0.5
    # Energy (1 + .8) / (1 + .8 + .6); constant map: the area fraction 1/4.
    np.testing.assert_allclose(ref['energy_inside'], (1.8 / 2.4 + 0.25) / 2)


def test_dense_det_inputs_depend_on_the_cap():
    gt, pred, hw = synthetic_dense_det(max_dets=300)
    assert len(pred['bboxes']) > 300
    recall = {m: pycocotools_ap([gt], [pred], [hw], max_dets=m)[f'AR@{m}']
              for m in (100, 300, 1000)}
    assert recall[100] < recall[300] < recall[1000]


def test_package_metrics_agree_on_shipped_configs():
    gain = metric_check(load_cfg(osp.join(REPO, 'configs', 'gain', 's1.py')))
    assert gain.errors == [] and gain.warnings == [], gain.format()
    agreed = ' '.join(f.message for f in gain.findings
                      if f.topic == 'metric agreement')
    for key in ('cls/precision', 'cls/recall', 'cls/ap', 'cls/auroc', 'cam/iou',
                'cam/point_game', 'cam/energy_inside'):
        assert key in agreed, gain.format()
    retail = metric_check(load_cfg(osp.join(
        REPO, 'configs', 'retail', 'retinanet-dense_r50_fpn_1x_sku110k.py')))
    assert retail.errors == [] and retail.warnings == [], retail.format()
    assert len([f for f in retail.findings
                if f.topic == 'metric agreement']) == 4
    assert 'bbox_AR@300' in retail.format()


def test_dense_metric_at_the_wrong_cap_caught():
    report = metric_check(tiny_cfg('retail_metric_capped_at_100.py'))
    wrong = ' '.join(f.message for f in report.errors
                     if f.topic == 'metric disagreement')
    assert 'bbox_AR@300' in wrong and 'bbox_mAP=' in wrong, report.format()


def test_package_metric_faults_caught():
    report = metric_check(tiny_cfg('gain_metric_faults.py'))
    wrong = [f.message for f in report.errors if f.topic == 'metric disagreement']
    assert any('DefectClsMetricMacroAverage' in m and 'cls/precision' in m
               for m in wrong), report.format()
    assert any('CAMMetricWithoutMinMax' in m and 'cam/iou' in m
               for m in wrong), report.format()
    # What the faults leave alone still agrees.
    assert not any('cls/auroc' in m or 'cam/point_game' in m for m in wrong)
