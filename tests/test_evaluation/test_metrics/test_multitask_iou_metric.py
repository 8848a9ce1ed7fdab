import pytest
import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.evaluation.metrics import MultiTaskIoUMetric


def test_reads_seg_classes_not_detection_classes():
    metric = MultiTaskIoUMetric(iou_metrics=['mIoU'], prefix='seg')
    metric.dataset_meta = dict(classes=('a', 'b'), seg_classes=('bg', 'a', 'b'))
    gt = torch.tensor([[[0, 1, 2, 2]]])
    pred = torch.tensor([[[0, 1, 2, 1]]])
    metric.process({}, [dict(pred_sem_seg=dict(data=pred),
                             gt_sem_seg=dict(data=gt))])
    out = metric.evaluate(1)
    # IoU: bg 1, a 1/2, b 1/2 -> mIoU 66.67 (mmseg reports percent)
    assert out['seg/mIoU'] == pytest.approx(66.67, abs=0.01)


def test_missing_key_is_explained():
    metric = MultiTaskIoUMetric()
    with pytest.raises(KeyError, match='seg_classes'):
        metric.dataset_meta = dict(classes=('a', ))
