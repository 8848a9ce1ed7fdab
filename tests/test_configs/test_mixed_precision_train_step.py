"""One training step of every workload's shipped model under CPU autocast
(bfloat16 and float16): finite losses, gradients that reach the backbone, and
the detection focal loss computed in float32 (mmcv's CUDA kernel has no
bfloat16 version)."""
import copy
import math
import os.path as osp

import mmdet.models.losses.focal_loss as mmdet_focal
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData

import mtl_plugin  # noqa: F401
from mtl_plugin.datasets.synthetic import generate_shelf_image
from mtl_plugin.registry import MODELS
from mtl_plugin.structures import MultiTaskDataSample

from gain_config_runner import swap_in_tiny_backbone
from mtl_test_utils import REPO

DTYPES = [torch.bfloat16, torch.float16]


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _model_cfg(rel_path: str) -> Config:
    return copy.deepcopy(Config.fromfile(osp.join(REPO, rel_path)).model)


def _gain_s6():
    """S6 (every GAIN term on, GT fusion) with MobileNetV3-Small, 64 px."""
    full = Config.fromfile(osp.join(REPO, 'configs/gain/s6.py'))
    swap_in_tiny_backbone(full)
    cfg = copy.deepcopy(full.model)
    size = 64
    samples = []
    for label in (1, 0):
        mask = torch.zeros(1, size, size, dtype=torch.long)
        if label:
            mask[0, 20:36, 24:40] = 1
        s = MultiTaskDataSample(metainfo=dict(img_shape=(size, size)))
        s.gt_label = torch.tensor([label])
        s.gt_sem_seg = PixelData(data=mask)
        samples.append(s)
    return cfg, samples, size, size


def _multitask():
    cfg = _model_cfg('configs/multitask/multitask-fixed.py')
    size = 64
    samples = []
    for i in range(2):
        s = MultiTaskDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            scale_factor=(1.0, 1.0), img_id=i))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 30., 28.], [34., 30., 60., 62.]]),
            labels=torch.tensor([0, 2]))
        seg = torch.zeros(1, size, size, dtype=torch.long)
        seg[:, 6:28, 4:30] = 1
        seg[:, 30:62, 34:60] = 3
        s.gt_sem_seg = PixelData(data=seg)
        s.gt_label = torch.tensor([i % 3])
        samples.append(s)
    return cfg, samples, size, size


def _retail():
    """The CPU retail config (same head, anchors, assigner and losses as the
    R50 one) on two 64x64 generated shelves."""
    cfg = _model_cfg('configs/retail/retinanet-dense_r18-half_fpn_8e_shelves.py')
    w, h = 64, 64
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(2):
        _, boxes = generate_shelf_image(rng, w, h, (8, 12))
        s = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        scale_factor=(1.0, 1.0)))
        s.gt_instances = InstanceData(
            bboxes=torch.from_numpy(boxes).float(),
            labels=torch.zeros(len(boxes), dtype=torch.long))
        samples.append(s)
    return cfg, samples, w, h


WORKLOADS = dict(gain_s6=_gain_s6, multitask=_multitask, retail=_retail)


def _first_conv_weight(model) -> torch.Tensor:
    return next(p for p in model.backbone.parameters() if p.dim() == 4)


@pytest.mark.parametrize('dtype', DTYPES, ids=['bf16', 'fp16'])
@pytest.mark.parametrize('name', sorted(WORKLOADS))
def test_train_step_under_autocast(name, dtype, monkeypatch):
    init_default_scope('mtl_plugin')
    cfg, samples, w, h = WORKLOADS[name]()
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    focal_inputs = []
    real_focal = mmdet_focal.py_sigmoid_focal_loss

    def focal_spy(pred, target, *args, **kwargs):
        focal_inputs.append((pred.dtype, torch.is_autocast_enabled('cpu')))
        return real_focal(pred, target, *args, **kwargs)

    monkeypatch.setattr(mmdet_focal, 'py_sigmoid_focal_loss', focal_spy)
    gen = torch.Generator().manual_seed(0)
    data = dict(inputs=[torch.randint(0, 256, (3, h, w), generator=gen,
                                      dtype=torch.uint8) for _ in samples],
                data_samples=samples)
    with torch.autocast('cpu', dtype=dtype):
        data = model.data_preprocessor(data, True)
        losses = model(**data, mode='loss')
    total, log_vars = model.parse_losses(losses)
    assert total.dtype == torch.float32
    for key, value in log_vars.items():
        assert math.isfinite(float(value)), (key, value)
    assert total.item() > 0
    total.backward()
    grad = _first_conv_weight(model).grad
    assert grad is not None and torch.isfinite(grad).all()
    assert grad.abs().sum() > 0, 'no gradient reached the backbone'
    if name == 'multitask':
        # mmdet's FocalLoss ran, in float32 and outside autocast (the CUDA
        # path calls mmcv's kernel, which has no bfloat16 version).
        assert focal_inputs and all(seen == (torch.float32, False)
                                    for seen in focal_inputs), focal_inputs


def _dicts(obj):
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _dicts(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _dicts(v)


@pytest.mark.parametrize('folder', ['gain', 'multitask', 'retail'])
def test_shipped_configs_wrap_every_focal_loss(folder):
    """A bare FocalLoss would call mmcv's CUDA kernel, which has no bfloat16
    version: every shipped one runs inside Float32Loss."""
    import glob
    for path in sorted(glob.glob(osp.join(REPO, 'configs', folder, '*.py'))):
        for d in _dicts(Config.fromfile(path).model.to_dict()):
            assert d.get('type') != 'FocalLoss', (
                f'{path}: FocalLoss outside Float32Loss')
