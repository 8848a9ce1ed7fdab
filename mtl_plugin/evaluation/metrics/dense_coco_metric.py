"""COCO box metrics at a fixed number of detections (SKU-110K protocol).

SKU-110K reports AP (IoU 0.5:0.95), AP50, AP75 and AR, all with up to 300
detections per image. mmdet's :class:`CocoMetric` cannot report that: it hands
``proposal_nums`` to pycocotools as ``maxDets``, and pycocotools' summary
computes the headline AP (``stats[0]``) at ``maxDets=100`` whatever the list
holds (AP50/AP75 use ``maxDets[2]``), so its ``bbox_mAP`` is AP@100. This thin
subclass keeps CocoMetric's ground-truth conversion, result dumping and
``format_only`` handling, and reads every number at ``max_dets`` straight from
pycocotools' accumulated precision/recall arrays.
"""
import os.path as osp
import tempfile
from collections import OrderedDict
from typing import Dict, Sequence

import numpy as np
from mmdet.datasets.api_wrappers import COCO, COCOeval
from mmdet.evaluation.metrics import CocoMetric
from mmengine.fileio import load
from mmengine.logging import MMLogger

from mtl_plugin.registry import METRICS


def coco_box_stats(coco_gt: COCO, predictions: Sequence[dict],
                   cat_ids: Sequence[int], img_ids: Sequence[int],
                   max_dets: int) -> Dict[str, float]:
    """AP (0.5:0.95), AP50, AP75 and AR at ``max_dets`` detections per image.

    Args:
        coco_gt: ground truth.
        predictions: COCO result dicts (``image_id, category_id, bbox, score``).
        cat_ids, img_ids: categories and images to evaluate.
        max_dets: detections kept per image (highest scores).

    Returns:
        ``{'mAP', 'mAP_50', 'mAP_75', f'AR@{max_dets}'}``, each in [0, 1], or
        -1 where there is no ground truth.
    """
    ev = COCOeval(coco_gt, coco_gt.loadRes(list(predictions)), 'bbox')
    ev.params.catIds = list(cat_ids)
    ev.params.imgIds = list(img_ids)
    ev.params.maxDets = [max_dets]
    ev.evaluate()
    ev.accumulate()
    # precision: (iou thr, recall thr, category, area range, max dets);
    # recall: (iou thr, category, area range, max dets); area 0 = 'all'.
    precision = ev.eval['precision'][:, :, :, 0, 0]
    recall = ev.eval['recall'][:, :, 0, 0]
    thrs = ev.params.iouThrs

    def mean(values: np.ndarray) -> float:
        valid = values[values > -1]
        return float(valid.mean()) if valid.size else -1.0

    return OrderedDict([
        ('mAP', mean(precision)),
        ('mAP_50', mean(precision[np.isclose(thrs, 0.5)])),
        ('mAP_75', mean(precision[np.isclose(thrs, 0.75)])),
        (f'AR@{max_dets}', mean(recall)),
    ])


@METRICS.register_module()
class DenseCocoMetric(CocoMetric):
    """Box AP / AP50 / AP75 / AR, all at ``max_dets`` detections per image.

    Args:
        max_dets: detections per image kept for every number (300 for
            SKU-110K; the detector's ``max_per_img`` should be at least this).
        **kwargs: :class:`CocoMetric` arguments (``ann_file``,
            ``outfile_prefix``, ``format_only``, ``backend_args``, ...); the
            metric is always ``'bbox'``. Without ``ann_file`` the ground truth
            comes from each sample's ``instances`` (original-image boxes).

    Keys: ``bbox_mAP``, ``bbox_mAP_50``, ``bbox_mAP_75``,
    ``bbox_AR@{max_dets}`` (under the ``coco/`` prefix by default).
    """

    def __init__(self, max_dets: int = 300, **kwargs) -> None:
        if max_dets < 1:
            raise ValueError(f'DenseCocoMetric: max_dets must be >= 1, got '
                             f'{max_dets}')
        for key in ('metric', 'proposal_nums', 'metric_items'):
            if key in kwargs:
                raise ValueError(f'DenseCocoMetric: {key!r} is fixed (bbox at '
                                 f'max_dets={max_dets}); remove it')
        super().__init__(metric='bbox', **kwargs)
        self.max_dets = max_dets

    def compute_metrics(self, results: list) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        gts, preds = zip(*results)
        tmp_dir = None
        if self.outfile_prefix is None:
            tmp_dir = tempfile.TemporaryDirectory()
            outfile_prefix = osp.join(tmp_dir.name, 'results')
        else:
            outfile_prefix = self.outfile_prefix
        try:
            if self._coco_api is None:
                self._coco_api = COCO(self.gt_to_coco_json(
                    gt_dicts=gts, outfile_prefix=outfile_prefix))
            if self.cat_ids is None:
                self.cat_ids = self._coco_api.get_cat_ids(
                    cat_names=self.dataset_meta['classes'])
            if self.img_ids is None:
                self.img_ids = self._coco_api.get_img_ids()
            result_files = self.results2json(preds, outfile_prefix)
            if self.format_only:
                logger.info(f'results are saved in '
                            f'{osp.dirname(outfile_prefix)}')
                return OrderedDict()
            predictions = load(result_files['bbox'])
            if not predictions:
                logger.error('DenseCocoMetric: no detections in the whole '
                             'dataset; every metric is 0')
                stats = OrderedDict((k, 0.0) for k in (
                    'mAP', 'mAP_50', 'mAP_75', f'AR@{self.max_dets}'))
            else:
                stats = coco_box_stats(self._coco_api, predictions,
                                       self.cat_ids, self.img_ids,
                                       self.max_dets)
        finally:
            if tmp_dir is not None:
                tmp_dir.cleanup()
        logger.info(f'bbox at {self.max_dets} detections/image: ' + ', '.join(
            f'{k} {v:.4f}' for k, v in stats.items()))
        return OrderedDict((f'bbox_{k}', v) for k, v in stats.items())
