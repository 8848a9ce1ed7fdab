"""``metrics``: the configured evaluator on synthetic predictions with known
answers, compared with an independent computation.

* segmentation metrics (mmseg ``IoUMetric`` and look-alikes): masks whose
  per-class IoU differ by construction (so a dropped or shifted class changes
  the mean), with ``ignore_index`` pixels; reference: a numpy confusion matrix;
* detection metrics (``CocoMetric``): exact, shifted (IoU ~0.6) and false
  positive boxes; reference: pycocotools ``COCOeval`` on COCO dicts built here,
  plus the analytic AP of the exact-match classes;
* classification metrics (mmpretrain ``Accuracy`` / ``SingleLabelMetric``):
  scores with a known top-1 accuracy and macro precision/recall/F1; reference:
  numpy.

Metrics of other kinds (CAM metrics, AR@300 ...) are reported as not
cross-checked.
"""
import contextlib
import copy
import io
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope

from .config_inspect import (dataset_metainfo, default_scope, evaluator_metrics,
                             first_dataset, metric_task, model_tasks,
                             resolved_param, type_name)
from .findings import Report
from .synthetic_data import synthetic_evaluator_cfg


def numpy_iou(preds: List[np.ndarray], gts: List[np.ndarray], num_classes: int,
              ignore_index: int) -> np.ndarray:
    """Per-class IoU (NaN for classes absent from gt and pred) over all images.

    Args:
        preds, gts: ``(H, W)`` integer label maps.
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


def synthetic_seg(num_classes: int, ignore_index: int, size: int = 32,
                  num_images: int = 4) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """Ground truth stripes of every class; in the prediction class ``c`` loses
    a fraction ``0.1 + 0.6 c / C`` of its pixels to class ``c + 1``, so
    per-class IoUs all differ. A 2-pixel border is ``ignore_index``."""
    rng = np.random.default_rng(0)
    gts, preds = [], []
    for _ in range(num_images):
        gt = np.repeat(np.arange(size) * num_classes // size, size).reshape(
            size, size).T.copy()
        pred = gt.copy()
        for c in range(num_classes):
            where = np.argwhere(gt == c)
            k = int(len(where) * (0.1 + 0.6 * c / num_classes))
            pick = where[rng.permutation(len(where))[:k]]
            pred[pick[:, 0], pick[:, 1]] = (c + 1) % num_classes
        gt[:2], gt[-2:] = ignore_index, ignore_index
        pred[:2] = rng.integers(0, num_classes, (2, size))
        gts.append(gt.astype(np.int64))
        preds.append(pred.astype(np.int64))
    return preds, gts


def _box(rng, size: int):
    w, h = rng.uniform(0.2, 0.4, 2) * size
    x, y = rng.uniform(0, size - w), rng.uniform(0, size - h)
    return [float(x), float(y), float(x + w), float(y + h)]


def synthetic_det(num_classes: int, size: int = 64, num_images: int = 4):
    """Per image one gt box of each class. Even classes are predicted exactly
    (score 0.9); odd classes with the box shifted by 20 % of its width (IoU
    ~0.67: a hit at 0.5, a miss at 0.75); every image gets one false positive
    of class 0 at score 0.1 in an empty corner. Returns (gts, preds) lists of
    dicts ``bboxes (n, 4) xyxy, labels (n,), [scores]``."""
    rng = np.random.default_rng(0)
    gts, preds = [], []
    for _ in range(num_images):
        gb, gl, pb, pl, ps = [], [], [], [], []
        for c in range(num_classes):
            b = _box(rng, size)
            gb.append(b)
            gl.append(c)
            if c % 2:
                dx = 0.2 * (b[2] - b[0])
                b = [b[0] + dx, b[1], b[2] + dx, b[3]]
            pb.append(b)
            pl.append(c)
            ps.append(0.9)
        pb.append([0.0, 0.0, 3.0, 3.0])
        pl.append(0)
        ps.append(0.1)
        gts.append(dict(bboxes=np.array(gb, np.float32), labels=np.array(gl)))
        preds.append(dict(bboxes=np.array(pb, np.float32), labels=np.array(pl),
                          scores=np.array(ps, np.float32)))
    return gts, preds


def pycocotools_ap(gts, preds, size: int) -> Dict[str, float]:
    """COCO AP / AP50 / AP75 of xyxy boxes, computed by pycocotools."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    num_classes = int(max(g['labels'].max() for g in gts)) + 1
    images, anns, dets = [], [], []
    for i, (g, p) in enumerate(zip(gts, preds)):
        images.append(dict(id=i, width=size, height=size))
        for b, lab in zip(g['bboxes'], g['labels']):
            x1, y1, x2, y2 = map(float, b)
            anns.append(dict(id=len(anns) + 1, image_id=i, category_id=int(lab),
                             bbox=[x1, y1, x2 - x1, y2 - y1],
                             area=(x2 - x1) * (y2 - y1), iscrowd=0))
        for b, lab, s in zip(p['bboxes'], p['labels'], p['scores']):
            x1, y1, x2, y2 = map(float, b)
            dets.append(dict(image_id=i, category_id=int(lab), score=float(s),
                             bbox=[x1, y1, x2 - x1, y2 - y1]))
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = dict(images=images, annotations=anns, categories=[
            dict(id=c, name=str(c)) for c in range(num_classes)])
        coco.createIndex()
        ev = COCOeval(coco, coco.loadRes(dets), 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return dict(mAP=float(ev.stats[0]), mAP_50=float(ev.stats[1]),
                mAP_75=float(ev.stats[2]))


def synthetic_cls(num_classes: int, num_images: int = 20):
    """Scores whose argmax is right for image i unless ``i % 4 == 3``."""
    rng = np.random.default_rng(0)
    labels = np.arange(num_images) % num_classes
    scores = rng.uniform(0, 0.5, (num_images, num_classes))
    preds = labels.copy()
    wrong = np.arange(num_images) % 4 == 3
    preds[wrong] = (labels[wrong] + 1) % num_classes
    scores[np.arange(num_images), preds] = 1.0
    scores = scores / scores.sum(1, keepdims=True)
    return labels, scores


def numpy_cls(labels: np.ndarray, scores: np.ndarray) -> Dict[str, float]:
    """Top-1 accuracy and macro precision / recall / F1 (fractions)."""
    pred = scores.argmax(1)
    c = scores.shape[1]
    prec, rec, f1 = [], [], []
    for k in range(c):
        tp = np.sum((pred == k) & (labels == k))
        p = tp / max(np.sum(pred == k), 1)
        r = tp / max(np.sum(labels == k), 1)
        prec.append(p)
        rec.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return dict(top1=float(np.mean(pred == labels)), precision=float(np.mean(prec)),
                recall=float(np.mean(rec)), f1=float(np.mean(f1)))


def _find(results: Dict[str, float], suffix: str) -> Optional[Tuple[str, float]]:
    for key, value in results.items():
        if key == suffix or key.endswith('/' + suffix):
            return key, float(value)
    return None


def _as_fraction(value: float, reference: float) -> float:
    """Metrics report fractions (mmdet) or percent (mmseg, mmpretrain)."""
    return value / 100 if value > 1.0 + 1e-6 else value


def _compare(report: Report, metric: str, key: str, got: float, want: float,
             tol: float) -> None:
    got_f = _as_fraction(got, want)
    if abs(got_f - want) > tol:
        report.error('metric disagreement', f'{metric} {key}={got:.4g} but the '
                     f'independent computation gives {want:.4f} (fraction) on '
                     'synthetic predictions with known answers')
    else:
        report.info('metric agreement', f'{metric} {key}={got:.4g} matches the '
                    f'independent {want:.4f}')


def _evaluate(metric_cfg: Dict, meta: Dict, samples: List[Dict]) -> Dict[str, float]:
    evaluator = Evaluator([copy.deepcopy(metric_cfg)])
    evaluator.dataset_meta = meta
    evaluator.process(data_samples=samples, data_batch=None)
    with contextlib.redirect_stdout(io.StringIO()):
        return evaluator.evaluate(len(samples))


def metric_check(cfg: Config, evaluator_key: str = 'val_evaluator') -> Report:
    """Cross-check every metric of ``cfg[evaluator_key]`` (see module doc)."""
    report = Report('metrics')
    scope = default_scope(cfg)
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
        task = metric_task(m)
        try:
            if task == 'seg':
                _check_seg(m, name, tasks, meta, scope, ds, report)
            elif task == 'det' and type_name(m) == 'CocoMetric':
                _check_det(m, name, tasks, meta, report)
            elif task == 'cls' and type_name(m) in ('Accuracy', 'SingleLabelMetric'):
                _check_cls(m, name, tasks, meta, report)
            else:
                report.info('not cross-checked', f'{name}: no independent '
                            'reference for this metric type')
        except Exception as exc:  # noqa: BLE001 - a crash is itself a finding
            report.error('metric crashed', f'{name} raised {type(exc).__name__}: '
                         f'{exc} on synthetic predictions')
    return report


def _check_seg(m, name, tasks, meta, scope, ds, report) -> None:
    classes = meta.get('seg_classes') or meta.get('classes')
    n = tasks.get('seg') or (len(classes) if classes else 2)
    ignore = resolved_param('METRICS', m, 'ignore_index', scope)
    ignore = ignore if isinstance(ignore, int) else 255
    preds, gts = synthetic_seg(n, ignore)
    samples = [dict(pred_sem_seg=dict(data=torch.from_numpy(p)[None]),
                    gt_sem_seg=dict(data=torch.from_numpy(g)[None]),
                    img_path=f'synthetic_{i}.png', ori_shape=g.shape,
                    img_shape=g.shape)
               for i, (p, g) in enumerate(zip(preds, gts))]
    seg_meta = dict(meta, classes=tuple(classes) if classes and len(classes) == n
                    else tuple(f'class_{i}' for i in range(n)))
    results = _evaluate(m, seg_meta, samples)
    iou = numpy_iou(preds, gts, n, ignore)
    report.section(f'{name}: synthetic masks', 'per-class IoU (numpy): ' + ', '.join(
        f'{c}={v:.4f}' for c, v in enumerate(iou)) + f'\nevaluator: {results}')
    found = _find(results, 'mIoU')
    if found is None:
        report.warning('metric keys', f'{name}: no mIoU in its results '
                       f'{sorted(results)}')
        return
    _compare(report, name, found[0], found[1], float(np.nanmean(iou)), 2e-4)


def _check_det(m, name, tasks, meta, report) -> None:
    n = tasks.get('det') or len(meta.get('classes') or ()) or 2
    size = 64
    gts, preds = synthetic_det(n, size)
    samples = []
    for i, (g, p) in enumerate(zip(gts, preds)):
        samples.append(dict(
            img_id=i, ori_shape=(size, size), img_shape=(size, size),
            pred_instances=dict(bboxes=torch.from_numpy(p['bboxes']),
                                scores=torch.from_numpy(p['scores']),
                                labels=torch.from_numpy(p['labels'])),
            gt_instances=dict(bboxes=torch.from_numpy(g['bboxes']),
                              labels=torch.from_numpy(g['labels'])),
            instances=[dict(bbox=b.tolist(), bbox_label=int(lab), ignore_flag=0)
                       for b, lab in zip(g['bboxes'], g['labels'])]))
    classes = meta.get('classes')
    det_meta = dict(meta, classes=tuple(classes) if classes and len(classes) == n
                    else tuple(f'class_{i}' for i in range(n)))
    results = _evaluate(m, det_meta, samples)
    want = pycocotools_ap(gts, preds, size)
    report.section(f'{name}: synthetic boxes', f'pycocotools: {want}\n'
                   f'evaluator: {results}')
    # Analytic: all boxes hit at IoU 0.5 and the false positive ranks last.
    if abs(want['mAP_50'] - 1.0) > 1e-6:
        report.error('reference', f'pycocotools AP50={want["mAP_50"]} on boxes '
                     'that all match at IoU 0.5 (expected 1.0)')
    for key in ('mAP', 'mAP_50', 'mAP_75'):
        found = _find(results, f'bbox_{key}')
        if found is None:
            report.warning('metric keys', f'{name}: no bbox_{key} in '
                           f'{sorted(results)}')
            continue
        _compare(report, name, found[0], found[1], want[key], 1.5e-3)


def _check_cls(m, name, tasks, meta, report) -> None:
    n = tasks.get('cls') or len(meta.get('image_classes') or meta.get('classes')
                               or ()) or 2
    labels, scores = synthetic_cls(n)
    samples = [dict(pred_score=torch.from_numpy(s).float(),
                    pred_label=torch.tensor([int(s.argmax())]),
                    gt_label=torch.tensor([int(lab)]), num_classes=n)
               for lab, s in zip(labels, scores)]
    results = _evaluate(m, meta, samples)
    want = numpy_cls(labels, scores)
    report.section(f'{name}: synthetic scores', f'numpy: {want}\nevaluator: {results}')
    keys = {'Accuracy': [('top1', 'top1')],
            'SingleLabelMetric': [('precision', 'precision'), ('recall', 'recall'),
                                  ('f1-score', 'f1')]}[type_name(m)]
    for key, ref in keys:
        found = _find(results, key)
        if found is None:
            report.warning('metric keys', f'{name}: no {key} in {sorted(results)}')
            continue
        _compare(report, name, found[0], found[1], want[ref], 2e-4)
