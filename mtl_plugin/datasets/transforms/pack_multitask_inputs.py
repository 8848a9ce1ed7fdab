"""Packing transform producing one :class:`MultiTaskDataSample` per image.

mmdet's ``PackDetInputs`` packs boxes but stores the semantic map under the key
``sem_seg``, which mmseg's ``IoUMetric`` does not read, and it drops image-level
labels. This transform reuses ``PackDetInputs`` for the image and instances and
packs the other tasks' targets the way their metrics expect.
"""
from typing import Dict, Sequence

import numpy as np
import torch
from mmdet.datasets.transforms import PackDetInputs
from mmengine.structures import PixelData

from mtl_plugin.registry import TRANSFORMS
from mtl_plugin.structures import MultiTaskDataSample

DEFAULT_META_KEYS = ('img_id', 'img_path', 'seg_map_path', 'ori_shape',
                     'img_shape', 'scale_factor', 'flip', 'flip_direction',
                     'has_mask')


@TRANSFORMS.register_module()
class PackMultiTaskInputs(PackDetInputs):
    """Pack image, boxes, semantic mask and image-level labels.

    Reads from ``results`` (each optional except ``img``):

    * ``img``: ``(H, W, C)`` array -> ``inputs`` ``(C, H, W)`` uint8 tensor.
    * ``gt_bboxes`` / ``gt_bboxes_labels`` / ``gt_ignore_flags``: as mmdet.
    * ``gt_seg_map``: ``(H, W)`` int array -> ``gt_sem_seg.data`` ``(1, H, W)``
      long tensor.
    * each key of ``label_keys`` (default ``('gt_label',)``): int or int array
      -> ``LongTensor (k,)``; each key of ``float_keys``: number or array ->
      ``FloatTensor (k,)`` (e.g. a regression target).

    Args:
        meta_keys: image meta information copied to ``metainfo``.
        label_keys: integer image-level targets to pack.
        float_keys: float image-level targets to pack.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = DEFAULT_META_KEYS,
                 label_keys: Sequence[str] = ('gt_label', ),
                 float_keys: Sequence[str] = ()) -> None:
        super().__init__(meta_keys=meta_keys)
        self.label_keys = tuple(label_keys)
        self.float_keys = tuple(float_keys)

    def transform(self, results: Dict) -> Dict:
        results = dict(results)
        seg = results.pop('gt_seg_map', None)
        packed = super().transform(results)
        det_sample = packed['data_samples']
        sample = MultiTaskDataSample(metainfo=det_sample.metainfo)
        for key in ('gt_instances', 'ignored_instances', 'proposals'):
            if key in det_sample:
                setattr(sample, key, getattr(det_sample, key))
        if seg is not None:
            seg = np.ascontiguousarray(seg)
            sample.gt_sem_seg = PixelData(
                data=torch.from_numpy(seg.astype(np.int64))[None])
        for key in self.label_keys:
            if key in results:
                setattr(sample, key,
                        torch.as_tensor(results[key], dtype=torch.long).view(-1))
        for key in self.float_keys:
            if key in results:
                setattr(sample, key,
                        torch.as_tensor(results[key], dtype=torch.float32).view(-1))
        packed['data_samples'] = sample
        return packed

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'label_keys={self.label_keys}, float_keys={self.float_keys})')
