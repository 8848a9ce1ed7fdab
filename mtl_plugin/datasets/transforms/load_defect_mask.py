"""Load the binary defect mask of a :class:`DefectDataset` sample."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mtl_plugin.registry import TRANSFORMS

from ..defect_mask_io import DefectDataError, read_binary_mask


@TRANSFORMS.register_module()
class LoadDefectMask(BaseTransform):
    """Read ``seg_map_path`` into ``results['gt_seg_map']`` (``(H, W)`` uint8, {0, 1}).

    Runs after ``LoadImageFromFile`` (it checks the mask against
    ``results['img']``) and before mmdet's ``Resize`` / ``RandomFlip``, which
    resize (nearest) and flip ``gt_seg_map`` with the image. A normal image
    without mask file (``seg_map_path`` None) gets an all-zero mask; a defect
    image whose mask is unknown (``has_mask`` False, see
    :class:`~mtl_plugin.datasets.DefectDataset`'s mixed supervision) gets
    none, so its data sample has no ``gt_sem_seg``.

    Errors name the file: mask size different from the image, values the
    binarisation does not accept (see
    :mod:`mtl_plugin.datasets.defect_mask_io`), a defect image without mask,
    or a mask that contradicts ``gt_label`` (foreground on a normal image,
    empty on a defect image).

    Args:
        mask_threshold: ``None`` for strict binary masks, or a threshold; use
            the dataset's ``mask_threshold``.
    """

    def __init__(self, mask_threshold: Optional[float] = None) -> None:
        self.mask_threshold = mask_threshold

    def transform(self, results: Dict) -> Dict:
        img_path = results.get('img_path', '<unknown image>')
        height, width = results['img'].shape[:2]
        path = results.get('seg_map_path')
        label = results.get('gt_label')
        if results.get('has_mask', True) is False:
            return results
        if path is None:
            if label is not None and int(label) == 1:
                raise DefectDataError(img_path, 'defect image (gt_label 1) has no '
                                      'seg_map_path')
            mask = np.zeros((height, width), dtype=np.uint8)
        else:
            mask = read_binary_mask(path, self.mask_threshold)
            if mask.shape != (height, width):
                raise DefectDataError(
                    path, f'mask size {mask.shape[1]}x{mask.shape[0]} (WxH) differs '
                    f'from its image {img_path} ({width}x{height})')
            if label is not None and int(label) != int(mask.any()):
                raise DefectDataError(
                    path, f'mask {"has foreground" if mask.any() else "is empty"} '
                    f'but gt_label is {int(label)}')
        results['gt_seg_map'] = mask
        results.setdefault('seg_fields', []).append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(mask_threshold={self.mask_threshold})'
