"""``data``: integrity of the ground truth a dataset and its pipeline produce.

Over N items spread over the dataset: an overlay grid PNG (image + mask +
boxes), histograms of mask values and of class frequencies (pixels and images,
boxes and images, image labels), classes that are empty or near-empty, label
values outside the declared set, 0/255 masks of a 2-class task, degenerate
boxes, and for segmentation the dtype and values of the mask after every
transform (a bilinear resize of a label map invents labels).
"""
import json
import os
import os.path as osp
from collections import Counter
from typing import Any, Dict, List, Optional

import cv2
import numpy as np
from mmengine.config import Config

from mtl_plugin.apis import build_dataset, unwrap_dataset

from .config_inspect import model_tasks
from .findings import Report
from .pipeline_probe import format_steps, pipeline_transforms, run_steps

# A class holding less than this fraction of the labelled pixels is "near-empty".
NEAR_EMPTY_FRACTION = 1e-3


def _class_names(meta: Dict, key: str, n: int) -> List[str]:
    names = meta.get(key) or meta.get('classes') or ()
    names = list(names)
    return names if len(names) == n else [str(i) for i in range(n)]


def _overlay(packed: Dict, tile: int = 128) -> np.ndarray:
    """One grid tile: the packed image with mask colours and boxes drawn."""
    img = packed['inputs'].numpy().transpose(1, 2, 0)
    img = np.ascontiguousarray(img[..., :3]).astype(np.float32)
    if img.max() <= 1.0:
        img = img * 255
    sample = packed['data_samples']
    if 'gt_sem_seg' in sample:
        seg = sample.gt_sem_seg.data[0].numpy()
        rng = np.random.default_rng(0)
        colors = rng.integers(40, 256, (256, 3)).astype(np.float32)
        colors[0] = 0
        mask = (seg > 0) & (seg < 255)
        img[mask] = 0.5 * img[mask] + 0.5 * colors[seg[mask].clip(0, 255)]
        img[seg == 255] = 0.5 * img[seg == 255] + 0.5 * np.array([255, 255, 255])
    img = img.clip(0, 255).astype(np.uint8)
    if 'gt_instances' in sample and 'bboxes' in sample.gt_instances:
        boxes = sample.gt_instances.bboxes
        boxes = getattr(boxes, 'tensor', boxes).numpy()
        for x1, y1, x2, y2 in boxes.round().astype(int):
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 255, 0), 1)
    h, w = img.shape[:2]
    scale = tile / max(h, w)
    img = cv2.resize(img, (max(1, int(w * scale)), max(1, int(h * scale))),
                     interpolation=cv2.INTER_NEAREST)
    canvas = np.zeros((tile, tile, 3), np.uint8)
    canvas[:img.shape[0], :img.shape[1]] = img
    if 'gt_label' in sample:
        cv2.putText(canvas, str(int(sample.gt_label[0])), (2, 12),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
    return canvas


def _grid(tiles: List[np.ndarray], cols: int = 4) -> np.ndarray:
    rows = (len(tiles) + cols - 1) // cols
    h, w = tiles[0].shape[:2]
    grid = np.zeros((rows * h, cols * w, 3), np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[r * h:(r + 1) * h, c * w:(c + 1) * w] = t
    return grid


def _histogram(counter: Counter, names: Optional[List[str]] = None,
               total: Optional[int] = None) -> str:
    total = total or sum(counter.values()) or 1
    lines = []
    for key in sorted(counter):
        name = names[key] if names and isinstance(key, int) and 0 <= key < len(names) \
            else ''
        frac = counter[key] / total
        lines.append(f'{str(key):>5} {name:<16} {counter[key]:>10} '
                     f'{100 * frac:6.2f}% {"#" * int(round(40 * frac))}')
    return '\n'.join(lines) or '(none)'


def data_check(cfg: Config, num_samples: int = 16, out_dir: Optional[str] = None,
               dataset: Optional[Any] = None, split: str = 'train') -> Report:
    """Check ``num_samples`` items of ``dataset`` (default: the dataset of the
    config's ``split`` loader, ``'train'``, ``'val'`` or ``'test'``); write
    ``data_grid.png`` / ``data_stats.json`` to ``out_dir`` when given."""
    report = Report('data')
    if dataset is None:
        dataset = unwrap_dataset(build_dataset(cfg, split))
    n_total = len(dataset)
    if n_total == 0:
        report.error('dataset', f'{split}_dataloader.dataset is empty')
        return report
    indices = sorted(set(np.linspace(0, n_total - 1, min(num_samples, n_total))
                         .round().astype(int).tolist()))
    meta = dict(getattr(dataset, 'metainfo', {}) or {})
    tasks = model_tasks(cfg)
    num_seg = tasks.get('seg') or len(meta.get('seg_classes') or meta.get('classes') or ())
    num_det = tasks.get('det') or len(meta.get('classes') or ())
    num_cls = tasks.get('cls') or len(meta.get('image_classes') or meta.get('classes') or ())
    ignore = getattr(dataset, 'ignore_index', meta.get('ignore_index', 255))
    transforms = pipeline_transforms(dataset)

    seg_pixels, seg_images, raw_values = Counter(), Counter(), Counter()
    box_counts, box_images, labels = Counter(), Counter(), Counter()
    tiles = []
    for n, idx in enumerate(indices):
        info = dataset.get_data_info(idx)
        where = info.get('img_path', f'item {idx}')
        packed, steps = run_steps(info, transforms)
        if n == 0:
            report.section(f'pipeline of item {idx} ({where})', format_steps(steps))
        if packed is None:
            report.warning('pipeline', f'{where}: the pipeline dropped the item')
            continue
        _check_seg_steps(steps, where, report)
        raw = next((s['gt_seg_map'] for _, s in steps
                    if s.get('gt_seg_map') and 'values' in s['gt_seg_map']), None)
        if raw:
            raw_values.update(raw['values'])
        sample = packed['data_samples']
        tiles.append(_overlay(packed))
        if 'gt_sem_seg' in sample:
            seg = sample.gt_sem_seg.data.numpy().ravel()
            values, counts = np.unique(seg, return_counts=True)
            seg_pixels.update(dict(zip(values.tolist(), counts.tolist())))
            seg_images.update(values.tolist())
            bad = [v for v in values.tolist()
                   if v != ignore and not 0 <= v < max(num_seg, 1)]
            if bad:
                report.error('label values', f'{where}: mask values {bad} are '
                             f'outside the declared classes 0..{num_seg - 1} '
                             f'(ignore_index {ignore})')
        if 'gt_instances' in sample and 'bboxes' in sample.gt_instances:
            _check_boxes(sample, where, num_det, box_counts, box_images, report)
        if 'gt_label' in sample:
            lab = int(sample.gt_label.view(-1)[0])
            labels[lab] += 1
            if num_cls and not 0 <= lab < num_cls:
                report.error('label values', f'{where}: image label {lab} outside '
                             f'0..{num_cls - 1}')
    stats: Dict[str, Any] = dict(indices=indices)
    if seg_pixels:
        names = _class_names(meta, 'seg_classes', num_seg)
        report.section('mask values: pixels', _histogram(seg_pixels, names))
        report.section('mask values: images containing the value',
                       _histogram(seg_images, names, total=len(indices)))
        _check_seg_classes(seg_pixels, raw_values, num_seg, ignore, names, report)
        stats.update(seg_pixels=dict(seg_pixels), seg_images=dict(seg_images),
                     raw_mask_values=sorted(raw_values))
    if box_counts or 'det' in tasks:
        names = _class_names(meta, 'classes', num_det)
        report.section('boxes per class', _histogram(box_counts, names))
        report.section('images containing the class', _histogram(
            box_images, names, total=len(indices)))
        for k in range(num_det):
            if box_counts[k] == 0:
                report.warning('empty class', f'detection class {k} '
                               f'({names[k]}) has no box in the {len(indices)} '
                               'sampled items')
        stats.update(box_counts=dict(box_counts), box_images=dict(box_images))
    if labels:
        names = _class_names(meta, 'image_classes', num_cls)
        report.section('image labels', _histogram(labels, names))
        for k in range(num_cls):
            if labels[k] == 0:
                report.warning('empty class', f'image class {k} ({names[k]}) has '
                               f'no image in the {len(indices)} sampled items')
        stats.update(image_labels=dict(labels))
    report.data.update(stats)
    if out_dir and tiles:
        os.makedirs(out_dir, exist_ok=True)
        grid_path = osp.join(out_dir, 'data_grid.png')
        cv2.imwrite(grid_path, _grid(tiles))
        with open(osp.join(out_dir, 'data_stats.json'), 'w') as f:
            json.dump(stats, f, indent=1, default=str)
        report.info('files', f'overlay grid {grid_path}, statistics '
                    f'{osp.join(out_dir, "data_stats.json")}')
        report.data['grid_path'] = grid_path
    return report


def _check_seg_steps(steps, where: str, report: Report) -> None:
    prev = None
    for name, summaries in steps:
        s = summaries.get('gt_seg_map') or summaries.get('gt_sem_seg')
        if not s:
            continue
        if s['dtype'].startswith('float'):
            report.warning('mask dtype', f'{where}: mask is {s["dtype"]} after '
                           f'{name}: label maps should stay integer')
        if prev and 'values' in prev and 'values' in s and not set(
                s['values']) <= set(prev['values']):
            new = sorted(set(s['values']) - set(prev['values']))
            report.error('mask values', f'{where}: {name} created mask values '
                         f'{new} that were not in the mask before it: an '
                         'interpolating resize/rotation of the label map '
                         '(use nearest)')
        prev = s


def _check_seg_classes(pixels: Counter, raw_values: Counter, num_seg: int,
                       ignore: int, names: List[str], report: Report) -> None:
    labelled = sum(v for k, v in pixels.items() if k != ignore) or 1
    if num_seg == 2 and set(raw_values) <= {0, 255} and 255 in raw_values:
        report.error('mask values', f'masks are labelled 0/255 but the task '
                     f'declares 2 classes {names} (0/1); with ignore_index '
                     f'{ignore} every foreground pixel is '
                     f'{"ignored" if ignore == 255 else "out of range"}: '
                     'divide the masks by 255')
    for k in range(num_seg):
        if pixels[k] == 0:
            report.warning('empty class', f'segmentation class {k} ({names[k]}) '
                           'has no pixel in the sampled items')
        elif pixels[k] / labelled < NEAR_EMPTY_FRACTION:
            report.warning('near-empty class', f'segmentation class {k} '
                           f'({names[k]}) holds {pixels[k] / labelled:.2e} of the '
                           'labelled pixels')
    if ignore in pixels:
        frac = pixels[ignore] / (labelled + pixels[ignore])
        (report.warning if frac > 0.3 else report.info)(
            'ignored pixels', f'{100 * frac:.1f}% of the pixels carry '
            f'ignore_index {ignore}')


def _check_boxes(sample, where: str, num_det: int, counts: Counter,
                 images: Counter, report: Report) -> None:
    boxes = sample.gt_instances.bboxes
    boxes = getattr(boxes, 'tensor', boxes).numpy().reshape(-1, 4)
    labs = sample.gt_instances.labels.numpy().ravel().tolist()
    counts.update(labs)
    images.update(set(labs))
    h, w = sample.metainfo.get('img_shape', (None, None))[:2]
    wh = boxes[:, 2:] - boxes[:, :2]
    degenerate = int(((wh[:, 0] <= 0) | (wh[:, 1] <= 0)).sum())
    if degenerate:
        report.error('degenerate boxes', f'{where}: {degenerate} box(es) with '
                     'zero or negative width/height')
    tiny = int((((wh[:, 0] > 0) & (wh[:, 0] < 1)) | ((wh[:, 1] > 0) &
                                                     (wh[:, 1] < 1))).sum())
    if tiny:
        report.warning('degenerate boxes', f'{where}: {tiny} box(es) under 1 px')
    if h and len(boxes) and ((boxes[:, :2] < -1).any() or (boxes[:, 2] > w + 1).any()
                             or (boxes[:, 3] > h + 1).any()):
        report.warning('boxes outside', f'{where}: boxes extend outside the '
                       f'{w}x{h} image')
    bad = [lab for lab in labs if num_det and not 0 <= lab < num_det]
    if bad:
        report.error('label values', f'{where}: box labels {sorted(set(bad))} '
                     f'outside 0..{num_det - 1}')
