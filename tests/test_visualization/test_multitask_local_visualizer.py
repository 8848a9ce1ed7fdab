"""MultiTaskLocalVisualizer draws boxes, the semantic mask (from the mmseg
``data`` key, background left unpainted) and the image label."""
import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData

from mtl_plugin.registry import VISUALIZERS
from mtl_plugin.structures import MultiTaskDataSample

META = dict(classes=('square', 'disc', 'triangle'),
            seg_classes=('background', 'square', 'disc', 'triangle'),
            image_classes=('square_dominant', 'disc_dominant',
                           'triangle_dominant'))


def _sample():
    s = MultiTaskDataSample()
    mask = torch.zeros(1, 64, 64, dtype=torch.long)
    mask[0, 40:60, 40:60] = 3  # a triangle region, bottom right
    s.gt_sem_seg = PixelData(data=mask)
    s.pred_sem_seg = PixelData(data=mask.clone())
    s.gt_instances = InstanceData(bboxes=torch.tensor([[40., 40., 60., 60.]]),
                                  labels=torch.tensor([2]))
    s.pred_instances = InstanceData(
        bboxes=torch.tensor([[41., 41., 59., 59.]]),
        labels=torch.tensor([2]), scores=torch.tensor([0.9]))
    s.gt_label = torch.tensor([2])
    s.pred_label = torch.tensor([2])
    s.pred_score = torch.tensor([0.05, 0.05, 0.9])
    return s


def test_draws_gt_and_prediction_panels(tmp_path):
    vis = VISUALIZERS.build(dict(type='MultiTaskLocalVisualizer',
                                 name='mt_vis_test'))
    vis.dataset_meta = META
    image = np.full((64, 64, 3), 128, dtype=np.uint8)
    out = tmp_path / 'panel.png'
    sample = _sample()
    assert vis._label_text(sample) == ('GT: triangle_dominant\n'
                                       'pred: triangle_dominant 0.90')
    vis.add_datasample('x', image, sample, out_file=str(out),
                       pred_score_thr=0.3)
    drawn = vis.get_image()
    assert drawn.shape == (64, 128, 3)  # GT | prediction
    for x0 in (0, 64):
        panel = drawn[:, x0:x0 + 64]
        # the triangle region is painted, a background pixel is not
        assert (panel[50, 50] != 128).any()
        assert (panel[55, 10] == 128).all()
    assert out.read_bytes()[:4] == b'\x89PNG'
    # the caller's sample keeps mmseg's key
    assert 'data' in sample.gt_sem_seg and 'sem_seg' not in sample.gt_sem_seg
