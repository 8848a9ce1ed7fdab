"""DenseCocoMetric reports the SKU-110K protocol (AP, AP50, AP75, AR at 300
detections per image) as pycocotools run directly computes it."""
import mtl_plugin  # noqa: F401,I001  (compat fixes before mmdet imports)
import functools
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mtl_test_utils import REPO
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mtl_plugin.datasets.synthetic import generate_shelf_image
from mtl_plugin.registry import METRICS

CFG = osp.join(REPO, 'configs', 'retail',
               'retinanet-dense_r50_fpn_1x_sku110k.py')


def _scene(seed, num_gt, num_det):
    """GT of a generated shelf and detections: jittered copies of some GT
    boxes plus false positives, random scores."""
    rng = np.random.default_rng(seed)
    _, gt = generate_shelf_image(rng, 512, 384, (num_gt, num_gt + 40))
    gt = gt[:num_gt]
    hits = gt[rng.permutation(num_gt)[:num_det * 2 // 3]]
    hits = hits + rng.normal(0, 2.0, hits.shape)
    xy = rng.uniform(0, 450, (num_det - len(hits), 2))
    fps = np.concatenate([xy, xy + rng.uniform(8, 40, xy.shape)], 1)
    det = np.concatenate([hits, fps]).astype(np.float32)
    return gt, det, rng.uniform(0.2, 1.0, len(det)).astype(np.float32)


# Image 0 has 420 detections: the 300 cap changes its numbers.
SCENES = [_scene(0, 330, 420), _scene(1, 60, 80)]


def _run_metric(metric):
    metric.dataset_meta = dict(classes=('object', ))
    samples = []
    for img_id, (gt, det, scores) in enumerate(SCENES):
        samples.append(dict(
            img_id=img_id, ori_shape=(384, 512),
            instances=[dict(bbox=b.tolist(), bbox_label=0, ignore_flag=0)
                       for b in gt],
            pred_instances=dict(bboxes=torch.from_numpy(det),
                                scores=torch.from_numpy(scores),
                                labels=torch.zeros(len(det),
                                                   dtype=torch.long))))
    metric.process({}, samples)
    return metric.evaluate(size=len(samples))


@functools.lru_cache()
def _pycocotools(max_dets):
    images, anns, dets = [], [], []
    for img_id, (gt, det, scores) in enumerate(SCENES):
        images.append(dict(id=img_id, width=512, height=384))
        for b in gt:
            w, h = float(b[2] - b[0]), float(b[3] - b[1])
            anns.append(dict(id=len(anns) + 1, image_id=img_id, category_id=1,
                             bbox=[float(b[0]), float(b[1]), w, h], area=w * h,
                             iscrowd=0))
        for b, s in zip(det, scores):
            dets.append(dict(image_id=img_id, category_id=1, score=float(s),
                             bbox=[float(b[0]), float(b[1]),
                                   float(b[2] - b[0]), float(b[3] - b[1])]))
    coco = COCO()
    coco.dataset = dict(images=images, annotations=anns,
                        categories=[dict(id=1, name='object')])
    coco.createIndex()
    ev = COCOeval(coco, coco.loadRes(dets), 'bbox')
    ev.params.maxDets = list(max_dets)
    ev.evaluate(), ev.accumulate(), ev.summarize()
    return ev


def test_config_metric_equals_pycocotools_at_300():
    ours = _run_metric(METRICS.build(Config.fromfile(CFG).val_evaluator))
    ev = _pycocotools((1, 10, 300))
    # pycocotools' summary gives AP50, AP75 and AR at maxDets[2] = 300; its
    # AP 0.5:0.95 summary is fixed to maxDets=100, so AP@300 is read from
    # the same accumulated array its summary averages.
    precision = ev.eval['precision'][:, :, :, 0, 2]
    expected = {
        'coco/bbox_mAP': precision[precision > -1].mean(),
        'coco/bbox_mAP_50': ev.stats[1],
        'coco/bbox_mAP_75': ev.stats[2],
        'coco/bbox_AR@300': ev.stats[8],
    }
    assert set(ours) == set(expected)
    for key, value in expected.items():
        assert ours[key] == pytest.approx(value, abs=1e-9), key
    # The cap matters on this data: AR with 1000 detections differs.
    assert _pycocotools((1, 10, 1000)).stats[8] > ours['coco/bbox_AR@300'] + 1e-3


def test_ap_at_100_equals_pycocotools_summary():
    ours = _run_metric(METRICS.build(dict(type='DenseCocoMetric',
                                          max_dets=100)))
    ev = _pycocotools((1, 10, 100))
    assert ours['coco/bbox_mAP'] == pytest.approx(ev.stats[0], abs=1e-9)
    assert ours['coco/bbox_AR@100'] == pytest.approx(ev.stats[8], abs=1e-9)


def test_plain_coco_metric_reports_ap_at_100_not_300():
    # Why the subclass exists: mmdet's CocoMetric bbox_mAP is AP@100 even
    # with 300 in proposal_nums.
    plain = _run_metric(METRICS.build(dict(
        type='CocoMetric', metric='bbox', proposal_nums=(100, 300, 1000))))
    dense = _run_metric(METRICS.build(dict(type='DenseCocoMetric')))
    assert plain['coco/bbox_mAP'] == pytest.approx(_pycocotools(
        (1, 10, 100)).stats[0], abs=5e-4)
    assert abs(plain['coco/bbox_mAP'] - dense['coco/bbox_mAP']) > 1e-3


def test_fixed_arguments_are_rejected():
    with pytest.raises(ValueError, match="'proposal_nums' is fixed"):
        METRICS.build(dict(type='DenseCocoMetric', proposal_nums=(1, 2, 3)))
