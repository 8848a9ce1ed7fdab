"""Reference of segmentation metrics: per-class IoU from a numpy confusion
matrix."""
from typing import List

import numpy as np


def numpy_iou(preds: List[np.ndarray], gts: List[np.ndarray], num_classes: int,
              ignore_index: int) -> np.ndarray:
    """Per-class IoU (NaN for classes absent from gt and pred) over all images.

    Args:
        preds, gts: ``(H, W)`` integer label maps.
        num_classes: number of classes.
        ignore_index: gt value whose pixels are left out.

    Returns:
        ``(num_classes,)`` IoU fractions.
    """
    conf = np.zeros((num_classes, num_classes), np.int64)
    for p, g in zip(preds, gts):
        valid = g != ignore_index
        conf += np.bincount(num_classes * g[valid].astype(np.int64) + p[valid],
                            minlength=num_classes ** 2).reshape(num_classes,
                                                                num_classes)
    tp = np.diag(conf).astype(np.float64)
    union = conf.sum(0) + conf.sum(1) - tp
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(union > 0, tp / np.maximum(union, 1), np.nan)
