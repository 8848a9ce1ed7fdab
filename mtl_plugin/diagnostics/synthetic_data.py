"""A tiny synthetic stand-in for a config's dataset, with known answers.

``overfit``, ``trace`` and the permanent test suite need data for configs whose
real data set is absent (a user's config, CI). :class:`SyntheticTaskDataset`
draws one coloured rectangle per image: its colour identifies an object kind,
so every task is learnable from the pixels:

* segmentation: the rectangle's pixels get class ``1 + kind % (S - 1)``,
  background class 0 (mmseg convention: the class list includes background);
* detection: one box, label ``kind % D``;
* classification: image label ``kind % C``; without a segmentation task the
  mask marks the rectangle of images whose label is not 0 (pixel supervision
  of GAIN-style classifiers, class 0 = "normal").

The raw results dict (``img`` BGR uint8 ``(H, W, 3)``, ``gt_seg_map`` uint8
``(H, W)``, ``gt_bboxes`` ``(1, 4)`` xyxy pixels, ``gt_bboxes_labels``,
``gt_label``) runs through the config's own test pipeline without its loading
transforms, with every resize set to the image size so ground truth and
predictions share one frame; the config's packing transform then produces the
data-sample type the model expects.
"""
import copy
from typing import Dict, List, Optional

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from torch.utils.data import Dataset

from mtl_plugin.apis import config_scope

from .config_inspect import (
    dataset_metainfo,
    first_dataset,
    model_tasks,
    pipeline_of,
    to_plain,
    type_name,
)

# Saturated, well separated BGR colours, one per object kind.
_PALETTE = [(0, 0, 255), (0, 255, 0), (255, 0, 0), (0, 255, 255),
            (255, 0, 255), (255, 255, 0), (0, 128, 255), (255, 128, 0),
            (128, 0, 255), (0, 255, 128), (128, 255, 0), (255, 0, 128)]
_SIZE_KEYS = ('scale', 'img_scale', 'crop_size', 'size')


def shrink_pipeline(pipeline: List[Dict], size: int) -> List[Dict]:
    """Copy of ``pipeline`` without ``Load*`` transforms and with every
    resize / crop size set to ``size`` (square, pixels)."""
    out = []
    for t in to_plain(pipeline):
        name = type_name(t)
        if name.startswith('Load'):
            continue
        if 'Resize' in name or 'Crop' in name or name in ('Pad', ):
            for key in _SIZE_KEYS:
                if key in t:
                    t[key] = size if isinstance(t[key], int) else (size, size)
        out.append(t)
    return out


def _color(kind: int) -> np.ndarray:
    if kind < len(_PALETTE):
        return np.array(_PALETTE[kind], np.uint8)
    rng = np.random.default_rng(1000 + kind)
    return rng.integers(0, 256, 3).astype(np.uint8)


class SyntheticTaskDataset(Dataset):
    """Synthetic images for the tasks of ``cfg`` (see module doc).

    Args:
        cfg: the config whose test pipeline, metainfo and heads are used.
        num_samples: number of images.
        image_size: side of the square images (pixels).
        zero_255_masks: write the mask as 0/255 instead of class ids (a
            planted fault for the ``data`` check of binary tasks).
        seed: base random seed; sample ``i`` uses ``seed + i``.
    """

    def __init__(self, cfg: Config, num_samples: int = 16, image_size: int = 64,
                 zero_255_masks: bool = False, seed: int = 0) -> None:
        self.cfg = cfg
        self.num_samples = num_samples
        self.size = image_size
        self.zero_255_masks = zero_255_masks
        self.seed = seed
        self.tasks = model_tasks(cfg)
        if not self.tasks:
            raise ValueError('SyntheticTaskDataset: cannot tell the tasks of the '
                             'config (no head with num_classes, no seg/det/cls '
                             'metric); pass a real dataset instead')
        self.scope = config_scope(cfg)
        test_ds = (first_dataset(cfg, 'test_dataloader')
                   or first_dataset(cfg, 'val_dataloader')
                   or first_dataset(cfg, 'train_dataloader'))
        meta = dataset_metainfo(test_ds, self.scope) if test_ds else {}
        self._metainfo = meta
        if not meta.get('classes'):
            n = max(self.tasks.values())
            self._metainfo['classes'] = tuple(f'class_{i}' for i in range(n))
        # Kinds: enough for every class of every task to appear.
        self.num_kinds = max(self.tasks.get('det', 1), self.tasks.get('cls', 1),
                             self.tasks.get('seg', 2) - 1)
        init_default_scope(self.scope)
        self.pipeline = Compose(shrink_pipeline(pipeline_of(test_ds), self.size))
        self.uses_mmdet_boxes = any(
            type(t).__module__.startswith('mmdet') for t in self.pipeline.transforms)

    @property
    def metainfo(self) -> Dict:
        return copy.deepcopy(self._metainfo)

    def __len__(self) -> int:
        return self.num_samples

    def kind(self, index: int) -> int:
        return index % self.num_kinds

    def get_data_info(self, index: int) -> Dict:
        """Raw results dict of image ``index`` (before the pipeline)."""
        rng = np.random.default_rng(self.seed + index)
        s = self.size
        kind = self.kind(index)
        img = np.full((s, s, 3), 96, np.uint8)
        img = (img + rng.integers(-8, 9, (s, s, 3))).clip(0, 255).astype(np.uint8)
        w, h = rng.integers(int(0.35 * s), int(0.7 * s) + 1, 2)
        x1, y1 = rng.integers(0, s - w + 1), rng.integers(0, s - h + 1)
        img[y1:y1 + h, x1:x1 + w] = _color(kind)
        info = dict(img=img, img_shape=(s, s), ori_shape=(s, s),
                    img_path=f'synthetic_{index:04d}.png',
                    seg_map_path=f'synthetic_{index:04d}_mask.png',
                    img_id=index, sample_idx=index, reduce_zero_label=False,
                    seg_fields=[])
        if 'seg' in self.tasks:
            seg = np.zeros((s, s), np.uint8)
            value = 1 + kind % max(self.tasks['seg'] - 1, 1)
            seg[y1:y1 + h, x1:x1 + w] = 255 if self.zero_255_masks else value
            info['gt_seg_map'] = seg
            info['seg_fields'] = ['gt_seg_map']
        elif 'cls' in self.tasks:
            # Classifiers with pixel supervision (GAIN CAM guidance) read a
            # mask of the object; image class 0 is taken as "normal": empty.
            seg = np.zeros((s, s), np.uint8)
            if kind % self.tasks['cls']:
                seg[y1:y1 + h, x1:x1 + w] = 255 if self.zero_255_masks else 1
            info['gt_seg_map'] = seg
            info['seg_fields'] = ['gt_seg_map']
        if 'det' in self.tasks:
            boxes = np.array([[x1, y1, x1 + w, y1 + h]], np.float32)
            label = kind % self.tasks['det']
            info['instances'] = [dict(bbox=boxes[0].tolist(), bbox_label=label,
                                      ignore_flag=0)]
            if self.uses_mmdet_boxes:
                from mmdet.structures.bbox import HorizontalBoxes
                info['gt_bboxes'] = HorizontalBoxes(boxes)
            else:
                info['gt_bboxes'] = boxes
            info['gt_bboxes_labels'] = np.array([label], np.int64)
            info['gt_ignore_flags'] = np.array([False])
        if 'cls' in self.tasks:
            info['gt_label'] = kind % self.tasks['cls']
        return info

    def __getitem__(self, index: int) -> Dict:
        info = self.get_data_info(index)
        packed = self.pipeline(copy.deepcopy(info))
        if packed is None:
            raise RuntimeError(f'the test pipeline of the config dropped synthetic '
                               f'sample {index}')
        sample = packed['data_samples']
        # CocoMetric without ann_file reads the ground truth from the samples.
        if 'instances' in info:
            sample.set_metainfo(dict(instances=info['instances']))
        return packed


def synthetic_evaluator_cfg(evaluator: Optional[object]) -> Optional[object]:
    """Evaluator config that reads ground truth from the samples, not files."""
    if evaluator is None:
        return None
    evaluator = copy.deepcopy(to_plain(evaluator))
    metrics = evaluator if isinstance(evaluator, list) else [evaluator]
    for m in metrics:
        if isinstance(m, dict) and 'ann_file' in m:
            m['ann_file'] = None
        if isinstance(m, dict) and m.get('format_only'):
            m['format_only'] = False
    return evaluator
