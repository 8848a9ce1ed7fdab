import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import torch
from mmengine.structures import PixelData

from mtl_plugin.registry import HOOKS
from mtl_plugin.structures import MultiTaskDataSample
from mtl_plugin.visualization import draw_gain_panels

H, W = 32, 40


def _sample(img_path, with_attention=True):
    s = MultiTaskDataSample(metainfo=dict(img_path=img_path))
    gt = torch.zeros(1, H, W, dtype=torch.long)
    gt[0, 5:12, 8:20] = 1
    s.gt_sem_seg = PixelData(data=gt)
    s.gt_label = torch.tensor([1])
    s.pred_score = torch.tensor([0.2, 0.8])
    s.pred_label = torch.tensor([1])
    s.pred_cam = PixelData(data=torch.rand(1, H, W))
    if with_attention:
        s.pred_attention = PixelData(data=torch.rand(1, H, W))
    return s


def test_panels_leave_out_missing_maps():
    img = np.zeros((H, W, 3), np.uint8)
    full = draw_gain_panels(img, cam=np.random.rand(H, W), attention=np.random.rand(1, H, W),
                            loc=np.random.rand(H, W), gt_mask=np.ones((H, W)))
    only_img = draw_gain_panels(img)
    two = draw_gain_panels(img, cam=torch.rand(1, 8, 10))  # low-res map is resized
    assert only_img.shape[1] == W
    assert two.shape[1] == 2 * W + 2
    assert full.shape[1] == 5 * W + 4 * 2
    assert full.shape[0] == two.shape[0] > H and full.dtype == np.uint8
    # the GT panel is tinted red inside the mask
    mask = np.zeros((H, W))
    mask[10:20, 10:20] = 1
    gt_panel = draw_gain_panels(img, gt_mask=mask)[-H:, -W:]
    assert gt_panel[15, 15, 0] > 100 and gt_panel[15, 15, 2] == 0
    assert gt_panel[2, 2].sum() == 0


def test_hook_writes_pngs_at_test_time(tmp_path):
    hook = HOOKS.build(dict(type='GAINVisualizationHook', draw=True,
                            test_out_dir=str(tmp_path / 'show')))
    runner = SimpleNamespace(work_dir=str(tmp_path / 'work'), timestamp='20260101_000000')
    hook.before_test(runner)
    inputs = [torch.randint(0, 255, (3, H, W), dtype=torch.uint8) for _ in range(2)]
    outputs = [_sample('/data/test/00001.png'), _sample('/data/test/00002.png', False)]
    hook.after_test_iter(runner, 0, dict(inputs=inputs), outputs)
    a = cv2.imread(str(tmp_path / 'show' / 'test_00001.png'))
    b = cv2.imread(str(tmp_path / 'show' / 'test_00002.png'))
    assert a is not None and b is not None
    # image | CAM | attention | GT  vs  image | CAM | GT
    assert a.shape[1] == 4 * W + 3 * 2 and b.shape[1] == 3 * W + 2 * 2
    # the image panel shows the input (BGR in, so the file holds it unchanged)
    assert np.array_equal(a[-H:, :W], inputs[0].permute(1, 2, 0).numpy())


def test_relative_dir_and_draw_false(tmp_path):
    runner = SimpleNamespace(work_dir=str(tmp_path), timestamp='ts')
    hook = HOOKS.build(dict(type='GAINVisualizationHook', draw=True, test_out_dir='vis'))
    hook.before_test(runner)
    inputs = [torch.zeros(3, H, W, dtype=torch.uint8)]
    hook.after_test_iter(runner, 0, dict(inputs=inputs), [_sample('x/a.png')])
    assert osp.isfile(tmp_path / 'ts' / 'vis' / 'x_a.png')
    off = HOOKS.build(dict(type='GAINVisualizationHook', test_out_dir=str(tmp_path / 'off')))
    off.before_test(runner)
    off.after_test_iter(runner, 0, dict(inputs=inputs), [_sample('x/a.png')])
    assert not osp.exists(tmp_path / 'off')


def test_val_draws_every_interval_to_the_visualizer():
    calls = []
    visualizer = SimpleNamespace(add_image=lambda name, image, step: calls.append(
        (name, image.shape, step)))
    runner = SimpleNamespace(visualizer=visualizer, iter=7)
    hook = HOOKS.build(dict(type='GAINVisualizationHook', draw=True, interval=2))
    inputs = [torch.zeros(3, H, W, dtype=torch.uint8)]
    for batch_idx in range(4):
        hook.after_val_iter(runner, batch_idx, dict(inputs=inputs), [_sample('v/b.png')])
    assert [c[0] for c in calls] == ['val_b.png', 'val_b.png']
    assert calls[0][1] == (H + 18, 4 * W + 3 * 2, 3) and calls[0][2] == 7
