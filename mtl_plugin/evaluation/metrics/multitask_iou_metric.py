"""mmseg ``IoUMetric`` for datasets whose ``classes`` are detection classes."""
import copy
from typing import Optional

from mmseg.evaluation import IoUMetric

from mtl_plugin.registry import METRICS


@METRICS.register_module()
class MultiTaskIoUMetric(IoUMetric):
    """``IoUMetric`` reading its class list from ``dataset_meta[classes_key]``.

    mmseg's ``IoUMetric`` takes the number and names of the segmentation
    classes from ``dataset_meta['classes']``; in a multi-task dataset that key
    holds the detection categories (which mmdet's ``CocoMetric`` needs), and
    the segmentation classes (with background) live under ``seg_classes``.
    Everything else is mmseg's metric (reads ``pred_sem_seg.data`` and
    ``gt_sem_seg.data``, both ``(1, H, W)``).

    Args:
        classes_key: ``dataset_meta`` key of the segmentation class names.
        **kwargs: ``IoUMetric`` arguments (``iou_metrics``, ``prefix`` ...).
    """

    def __init__(self, classes_key: str = 'seg_classes', **kwargs) -> None:
        super().__init__(**kwargs)
        self.classes_key = classes_key

    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        meta = copy.deepcopy(dict(dataset_meta))
        if self.classes_key not in meta:
            raise KeyError(f'{type(self).__name__}: dataset metainfo has no '
                           f'{self.classes_key!r} (keys: {sorted(meta)})')
        meta['classes'] = meta[self.classes_key]
        self._dataset_meta = meta
