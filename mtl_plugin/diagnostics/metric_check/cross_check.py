"""``metrics``: every metric of the configured evaluator on synthetic
predictions with known answers (:mod:`.synthetic_inputs`), compared with an
independent computation.

* segmentation metrics (mmseg ``IoUMetric`` and look-alikes) vs a numpy
  confusion matrix (:mod:`.seg_reference`);
* ``CocoMetric`` vs pycocotools (:mod:`.coco_reference`), plus the analytic
  AP50 = 1 of boxes that all match at IoU 0.5;
* :class:`DenseCocoMetric` vs pycocotools at ``maxDets=[1, 10, max_dets]`` on
  an image with more detections than ``max_dets``;
* mmpretrain ``Accuracy`` / ``SingleLabelMetric`` and
  :class:`DefectClsMetric` (with tied scores) vs numpy
  (:mod:`.cls_reference`);
* :class:`CAMMetric` vs numpy IoU / PointGame / Energy-Inside
  (:mod:`.cam_reference`) on maps of a raw scale, with images that must not
  be scored.

Metrics of other kinds are reported as not cross-checked. Subclasses of the
package's metrics are checked as their base class.
"""
from typing import Callable, Dict, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mtl_plugin.apis import config_scope
from mtl_plugin.evaluation.metrics import CAMMetric, DefectClsMetric, DenseCocoMetric

from ..config_inspect import (
    dataset_metainfo,
    evaluator_metrics,
    first_dataset,
    get_class,
    is_missing,
    metric_task,
    model_tasks,
    resolved_param,
    type_name,
)
from ..findings import Report
from ..synthetic_data import synthetic_evaluator_cfg
from .cam_reference import numpy_cam
from .cls_reference import numpy_binary_cls, numpy_cls
from .coco_reference import pycocotools_ap
from .comparison import compare, evaluate_metric, find_key
from .seg_reference import numpy_iou
from .synthetic_inputs import (
    synthetic_binary_cls,
    synthetic_cam,
    synthetic_cls,
    synthetic_dense_det,
    synthetic_det,
    synthetic_seg,
)


class _Context:
    """What every check needs: the metric config, its display name, the
    config's tasks, dataset metainfo and scope, and the report."""

    def __init__(self, metric: Dict, name: str, tasks: Dict[str, int],
                 meta: Dict, scope: str, report: Report) -> None:
        self.metric, self.name, self.tasks = metric, name, tasks
        self.meta, self.scope, self.report = meta, scope, report

    def param(self, key: str, default):
        """The metric's argument ``key`` (as configured, else its default)."""
        value = resolved_param('METRICS', self.metric, key, self.scope)
        return default if is_missing(value) else value

    def meta_with_classes(self, key: str, n: int) -> Dict:
        classes = self.meta.get(key) or self.meta.get('classes')
        return dict(self.meta, classes=tuple(classes) if classes and len(classes) == n
                    else tuple(f'class_{i}' for i in range(n)))


def metric_check(cfg: Config, evaluator_key: str = 'val_evaluator') -> Report:
    """Cross-check every metric of ``cfg[evaluator_key]`` (see module doc)."""
    report = Report('metrics')
    scope = config_scope(cfg)
    init_default_scope(scope)
    tasks = model_tasks(cfg)
    ds = first_dataset(cfg, 'val_dataloader') or first_dataset(cfg, 'test_dataloader')
    meta = dataset_metainfo(ds, scope) if ds else {}
    metrics = evaluator_metrics(Config(dict(ev=synthetic_evaluator_cfg(
        cfg.get(evaluator_key)))), 'ev')
    if not metrics:
        report.warning('evaluator', f'config has no {evaluator_key}')
        return report
    for path, m in metrics:
        name = f'{evaluator_key}{path[2:]} ({type_name(m)})'
        check = _check_for(m, scope)
        if check is None:
            report.info('not cross-checked', f'{name}: no independent '
                        'reference for this metric type')
            continue
        try:
            check(_Context(m, name, tasks, meta, scope, report))
        except Exception as exc:  # noqa: BLE001 - a crash is itself a finding
            report.error('metric crashed', f'{name} raised {type(exc).__name__}: '
                         f'{exc} on synthetic predictions')
    return report


def _check_for(m: Dict, scope: str) -> Optional[Callable[[_Context], None]]:
    cls = get_class('METRICS', m.get('type'), scope)
    if cls is not None:
        for base, check in ((DenseCocoMetric, _check_dense_det),
                            (DefectClsMetric, _check_defect_cls),
                            (CAMMetric, _check_cam)):
            if issubclass(cls, base):
                return check
    task, kind = metric_task(m), type_name(m)
    if task == 'seg':
        return _check_seg
    if task == 'det' and kind == 'CocoMetric':
        return _check_det
    if task == 'cls' and kind in ('Accuracy', 'SingleLabelMetric'):
        return _check_cls
    return None


def _check_seg(c: _Context) -> None:
    classes = c.meta.get('seg_classes') or c.meta.get('classes')
    n = c.tasks.get('seg') or (len(classes) if classes else 2)
    ignore = c.param('ignore_index', 255)
    ignore = ignore if isinstance(ignore, int) else 255
    preds, gts = synthetic_seg(n, ignore)
    samples = [dict(pred_sem_seg=dict(data=torch.from_numpy(p)[None]),
                    gt_sem_seg=dict(data=torch.from_numpy(g)[None]),
                    img_path=f'synthetic_{i}.png', ori_shape=g.shape,
                    img_shape=g.shape)
               for i, (p, g) in enumerate(zip(preds, gts))]
    results = evaluate_metric(c.metric, c.meta_with_classes('seg_classes', n),
                              samples)
    iou = numpy_iou(preds, gts, n, ignore)
    c.report.section(f'{c.name}: synthetic masks', 'per-class IoU (numpy): ' +
                     ', '.join(f'{k}={v:.4f}' for k, v in enumerate(iou)) +
                     f'\nevaluator: {results}')
    compare(c.report, c.name, results, {'mIoU': float(np.nanmean(iou))}, 2e-4)


def _box_samples(gts, preds, sizes):
    """Detection samples as mmdet's CocoMetric reads them (ground truth from
    ``instances`` when the metric has no ``ann_file``)."""
    return [dict(
        img_id=i, ori_shape=hw, img_shape=hw,
        pred_instances=dict(bboxes=torch.from_numpy(p['bboxes']),
                            scores=torch.from_numpy(p['scores']),
                            labels=torch.from_numpy(p['labels'])),
        gt_instances=dict(bboxes=torch.from_numpy(g['bboxes']),
                          labels=torch.from_numpy(g['labels'])),
        instances=[dict(bbox=b.tolist(), bbox_label=int(lab), ignore_flag=0)
                   for b, lab in zip(g['bboxes'], g['labels'])])
        for i, (g, p, hw) in enumerate(zip(gts, preds, sizes))]


def _check_det(c: _Context) -> None:
    n = c.tasks.get('det') or len(c.meta.get('classes') or ()) or 2
    size = 64
    gts, preds = synthetic_det(n, size)
    sizes = [(size, size)] * len(gts)
    results = evaluate_metric(c.metric, c.meta_with_classes('classes', n),
                              _box_samples(gts, preds, sizes))
    want = pycocotools_ap(gts, preds, sizes)
    c.report.section(f'{c.name}: synthetic boxes', f'pycocotools: {want}\n'
                     f'evaluator: {results}')
    # Analytic: all boxes hit at IoU 0.5 and the false positive ranks last.
    if abs(want['mAP_50'] - 1.0) > 1e-6:
        c.report.error('reference', f'pycocotools AP50={want["mAP_50"]} on boxes '
                       'that all match at IoU 0.5 (expected 1.0)')
    # mmdet rounds its results to 3 decimals.
    compare(c.report, c.name, results,
            {f'bbox_{k}': v for k, v in want.items()}, 1.5e-3)


def _check_dense_det(c: _Context) -> None:
    n = c.tasks.get('det') or len(c.meta.get('classes') or ()) or 1
    max_dets = int(c.param('max_dets', 300))
    gt, pred, hw = synthetic_dense_det(max_dets, n)
    results = evaluate_metric(c.metric, c.meta_with_classes('classes', n),
                              _box_samples([gt], [pred], [hw]))
    want = pycocotools_ap([gt], [pred], [hw], max_dets=max_dets)
    c.report.section(f'{c.name}: {len(pred["bboxes"])} detections for '
                     f'max_dets={max_dets}', f'pycocotools maxDets=[1, 10, '
                     f'{max_dets}]: {want}\nevaluator: {results}')
    compare(c.report, c.name, results,
            {f'bbox_{k}': v for k, v in want.items()}, 1e-6)


def _cls_samples(labels: np.ndarray, scores: np.ndarray):
    n = scores.shape[1]
    return [dict(pred_score=torch.from_numpy(s).float(),
                 pred_label=torch.tensor([int(s.argmax())]),
                 gt_label=torch.tensor([int(lab)]), num_classes=n)
            for lab, s in zip(labels, scores)]


def _check_cls(c: _Context) -> None:
    n = c.tasks.get('cls') or len(c.meta.get('image_classes') or
                                  c.meta.get('classes') or ()) or 2
    labels, scores = synthetic_cls(n)
    results = evaluate_metric(c.metric, c.meta, _cls_samples(labels, scores))
    want = numpy_cls(labels, scores)
    c.report.section(f'{c.name}: synthetic scores',
                     f'numpy: {want}\nevaluator: {results}')
    keys = {'Accuracy': dict(top1='top1'),
            'SingleLabelMetric': {'precision': 'precision', 'recall': 'recall',
                                  'f1-score': 'f1'}}[type_name(c.metric)]
    compare(c.report, c.name, results,
            {key: want[ref] for key, ref in keys.items()}, 2e-4)


def _check_defect_cls(c: _Context) -> None:
    pos = int(c.param('pos_index', 1))
    n = max(c.tasks.get('cls') or 2, pos + 1)
    labels, scores = synthetic_binary_cls(pos, n)
    results = evaluate_metric(c.metric, c.meta, _cls_samples(labels, scores))
    want = numpy_binary_cls(labels, scores, pos)
    c.report.section(f'{c.name}: synthetic scores with ties (class {pos})',
                     f'numpy: {want}\nevaluator: {results}')
    compare(c.report, c.name, results, want, 2e-4)


def _check_cam(c: _Context) -> None:
    defect = int(c.param('defect_class', 1))
    threshold = float(c.param('threshold', 0.5))
    tolerance = float(c.param('point_tolerance', 0.0))
    maps, masks, labels = synthetic_cam(defect)
    samples = [dict(pred_cam=dict(data=torch.from_numpy(a).float()[None]),
                    gt_sem_seg=dict(data=torch.from_numpy(g).long()[None]),
                    gt_label=torch.tensor([lab]))
               for a, g, lab in zip(maps, masks, labels)]
    results = evaluate_metric(c.metric, c.meta, samples)
    want = numpy_cam(maps, masks, labels, defect, threshold, tolerance)
    c.report.section(f'{c.name}: synthetic maps ({len(maps)} images, '
                     f'{want["num_images"]} scored)',
                     f'numpy: {want}\nevaluator: {results}')
    scored = want.pop('num_images')
    found = find_key(results, 'num_images')
    if found is not None and int(found[1]) != scored:
        c.report.error('metric disagreement', f'{c.name} {found[0]}='
                       f'{int(found[1])} but {scored} of the {len(maps)} '
                       f'synthetic images are defect images (label {defect}) '
                       'with a mask')
    compare(c.report, c.name, results, want, 1e-5)
