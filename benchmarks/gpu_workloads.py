"""The three workloads as benchmark subjects: config, sizes, synthetic batch.

Each :class:`Workload` names a shipped config, the input size and batch the
GPU suite trains it at (``gpu``) and the tiny ones of ``--dry-run``
(``dry``), and builds a synthetic batch with every ground truth the model's
losses need, packed as the config's dataloader would (``inputs``: list of
``(3, H, W)`` uint8, ``data_samples``). Pretrained-weight downloads are
switched off (``init_cfg=None``): GPU machines may have no internet, and
random weights train at the same speed.

* ``gain``: ``configs/gain/s6.py`` (EfficientNetV2-S, every GAIN-MTL term),
  512x512, batch 16; half of the images carry a rectangular defect mask.
* ``multitask``: ``configs/multitask/multitask-fixed.py``
  (MobileNetV3-Small + FPN, seg + FCOS + cls), 512x512, batch 32; scenes of
  :func:`mtl_plugin.datasets.synthetic.multitask_scenes.make_scene`.
* ``retail``: ``configs/retail/retinanet-dense_r50_fpn_1x_sku110k.py``
  (ResNet-50-FPN P2..P6, 20 anchors per location), 1333x800, batch 8,
  150 products per shelf (:func:`generate_shelf_image`).
"""
import copy
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

import numpy as np

from repo_paths import REPO_ROOT


@dataclass(frozen=True)
class Setting:
    """Input width / height (pixels) and images per step."""
    width: int
    height: int
    batch: int


@dataclass(frozen=True)
class Workload:
    name: str
    config: str
    gpu: Setting
    dry: Setting
    make_batch: Callable[[Setting, int], Dict]

    def model_cfg(self) -> Dict:
        """``cfg.model`` of the shipped config, without weight downloads."""
        from mmengine.config import Config
        model = copy.deepcopy(
            Config.fromfile(osp.join(REPO_ROOT, self.config)).model)
        model.backbone.init_cfg = None
        return model

    def optim_cfg(self) -> Dict:
        """The config's ``optim_wrapper`` (optimizer, clipping, paramwise)."""
        from mmengine.config import Config
        return copy.deepcopy(
            Config.fromfile(osp.join(REPO_ROOT, self.config)).optim_wrapper)


def _images(rng: np.random.Generator, n: int, w: int, h: int):
    import torch
    return [torch.from_numpy(rng.integers(0, 256, (3, h, w), dtype=np.uint8))
            for _ in range(n)]


def gain_batch(setting: Setting, seed: int = 0) -> Dict:
    """Defect / normal images; defect ones with a rectangle mask (1/16 of
    the image), ``gt_label`` 1 for defect, 0 for normal."""
    import torch
    from mmengine.structures import PixelData

    from mtl_plugin.structures import MultiTaskDataSample
    rng = np.random.default_rng(seed)
    w, h = setting.width, setting.height
    samples = []
    for i in range(setting.batch):
        mask = np.zeros((1, h, w), np.int64)
        label = i % 2
        if label:
            y, x = rng.integers(0, h * 3 // 4), rng.integers(0, w * 3 // 4)
            mask[0, y:y + h // 4, x:x + w // 4] = 1
        s = MultiTaskDataSample(metainfo=dict(img_shape=(h, w),
                                              ori_shape=(h, w)))
        s.gt_label = torch.tensor([label])
        s.gt_sem_seg = PixelData(data=torch.from_numpy(mask))
        samples.append(s)
    return dict(inputs=_images(rng, setting.batch, w, h), data_samples=samples)


def multitask_batch(setting: Setting, seed: int = 0) -> Dict:
    """Square scenes (``width`` x ``width``) with boxes, class masks and the
    image label, as ``MultiTaskDataset`` + ``PackMultiTaskInputs`` give."""
    import torch
    from mmengine.structures import InstanceData, PixelData

    from mtl_plugin.datasets.synthetic.multitask_scenes import make_scene
    from mtl_plugin.structures import MultiTaskDataSample
    rng = np.random.default_rng(seed)
    size = setting.width
    inputs, samples = [], []
    for i in range(setting.batch):
        img, mask, boxes, label = make_scene(rng, size)
        inputs.append(torch.from_numpy(
            np.ascontiguousarray(img[..., ::-1].transpose(2, 0, 1))))
        xyxy = [[b['bbox'][0], b['bbox'][1], b['bbox'][0] + b['bbox'][2],
                 b['bbox'][1] + b['bbox'][3]] for b in boxes]
        s = MultiTaskDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            scale_factor=(1.0, 1.0), img_id=i))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor(xyxy, dtype=torch.float32).reshape(-1, 4),
            labels=torch.tensor([b['kind'] for b in boxes], dtype=torch.long))
        s.gt_sem_seg = PixelData(data=torch.from_numpy(mask[None].astype(np.int64)))
        s.gt_label = torch.tensor([label])
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def retail_batch(setting: Setting, seed: int = 0,
                 num_gts: Tuple[int, int] = (150, 166)) -> Dict:
    """Generated shelves with ``num_gts`` products each (one class)."""
    import torch
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from mtl_plugin.datasets.synthetic import generate_shelf_image
    rng = np.random.default_rng(seed)
    w, h = setting.width, setting.height
    lo, hi = num_gts
    if setting.width * setting.height < 200_000:  # dry-run sizes
        lo, hi = 20, 30
    inputs, samples = [], []
    for _ in range(setting.batch):
        img, boxes = generate_shelf_image(rng, w, h, (lo, hi))
        inputs.append(torch.from_numpy(np.ascontiguousarray(
            img.transpose(2, 0, 1))))
        s = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        scale_factor=(1.0, 1.0)))
        s.gt_instances = InstanceData(
            bboxes=torch.from_numpy(boxes).float(),
            labels=torch.zeros(len(boxes), dtype=torch.long))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


WORKLOADS = {
    w.name: w for w in [
        Workload('gain', 'configs/gain/s6.py', Setting(512, 512, 16),
                 Setting(64, 64, 2), gain_batch),
        Workload('multitask', 'configs/multitask/multitask-fixed.py',
                 Setting(512, 512, 32), Setting(64, 64, 2), multitask_batch),
        Workload('retail',
                 'configs/retail/retinanet-dense_r50_fpn_1x_sku110k.py',
                 Setting(1333, 800, 8), Setting(128, 128, 1), retail_batch),
    ]
}
