"""Synthetic scenes for the multi-task detector-segmentor (boxes, masks, label).

Each image holds 3-6 objects of three kinds (square, disc, triangle) on a
noisy background. Ground truth, all derived from what is drawn:

* boxes: tight box of each object's visible pixels (COCO xywh);
* semantic mask: 0 background, 1 + kind index for object pixels;
* image label: the kind that covers the most visible pixels ("dominant").

A kind is drawn in a colour family (red, green, blue with jitter), but its
shape also differs, so detection and segmentation have both cues.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np
from mmengine.utils import ProgressBar

KINDS = ('square', 'disc', 'triangle')
SEG_CLASSES = ('background', ) + KINDS
IMAGE_CLASSES = tuple(f'{k}_dominant' for k in KINDS)
_BASE_COLOURS = np.array([[200, 60, 60], [60, 190, 70], [70, 90, 210]],
                         dtype=np.float32)


def _draw(mask: np.ndarray, kind: int, cx: int, cy: int, r: int,
          angle: float) -> None:
    """Fill object ``kind`` of half-size ``r`` into ``mask`` (uint8, 1 inside)."""
    if kind == 1:
        cv2.circle(mask, (cx, cy), r, 1, -1)
        return
    n = 4 if kind == 0 else 3
    t = angle + np.arange(n) * 2 * np.pi / n
    rad = r * (1.3 if kind == 0 else 1.25)
    pts = np.stack([cx + rad * np.cos(t), cy + rad * np.sin(t)], 1)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)


def make_scene(rng: np.random.Generator, size: int = 64
               ) -> Tuple[np.ndarray, np.ndarray, List[Dict], int]:
    """One scene.

    Returns:
        image ``(size, size, 3)`` uint8 RGB, mask ``(size, size)`` uint8
        class ids, boxes ``[{'bbox': [x, y, w, h], 'kind': k, 'area': px}]``,
        image label (index into :data:`IMAGE_CLASSES`).
    """
    while True:
        dominant = int(rng.integers(len(KINDS)))
        n_dom = int(rng.integers(2, 4))
        others = [int(k) for k in rng.integers(len(KINDS), size=int(rng.integers(1, 4)))
                  if k != dominant]
        kinds = [dominant] * n_dom + others
        rng.shuffle(kinds)
        instance = np.zeros((size, size), np.int32)  # 0 = none, i+1 = object i
        for i, k in enumerate(kinds):
            r = int(rng.integers(size // 14, size // 6))
            if k != dominant:
                r = max(size // 18, int(r * 0.7))
            cx, cy = rng.integers(r + 2, size - r - 2, size=2)
            m = np.zeros((size, size), np.uint8)
            _draw(m, k, int(cx), int(cy), r, float(rng.uniform(0, np.pi)))
            instance[m > 0] = i + 1
        areas = np.bincount(instance.ravel(), minlength=len(kinds) + 1)[1:]
        kind_area = np.zeros(len(KINDS))
        for i, k in enumerate(kinds):
            kind_area[k] += areas[i]
        order = np.sort(kind_area)
        # Keep scenes whose dominant kind is unambiguous (>= 20 % margin).
        if order[-1] > 1.2 * order[-2] and order[-1] > 0:
            break
    label = int(np.argmax(kind_area))
    img = rng.normal(110, 18, (size, size, 3)).clip(0, 255).astype(np.float32)
    mask = np.zeros((size, size), np.uint8)
    boxes = []
    for i, k in enumerate(kinds):
        sel = instance == i + 1
        if sel.sum() < 12:  # almost fully hidden: neither drawn as box nor kept
            instance[sel] = 0
            continue
        colour = _BASE_COLOURS[k] + rng.uniform(-30, 30, 3)
        img[sel] = colour + rng.normal(0, 8, (int(sel.sum()), 3))
        mask[sel] = k + 1
        ys, xs = np.nonzero(sel)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        boxes.append(dict(bbox=[int(x0), int(y0), int(x1 - x0), int(y1 - y0)],
                          kind=k, area=int(sel.sum())))
    return img.clip(0, 255).astype(np.uint8), mask, boxes, label


def generate_multitask_dataset(out_dir: str, num_train: int = 400,
                               num_val: int = 100, size: int = 64,
                               seed: int = 0) -> Dict[str, str]:
    """Write ``images/<split>/``, ``masks/<split>/``, ``annotations/<split>.json``.

    Returns ``{split: annotation path}``. Shows a progress bar.
    """
    rng = np.random.default_rng(seed)
    paths = {}
    categories = [dict(id=i + 1, name=k) for i, k in enumerate(KINDS)]
    progress = ProgressBar(num_train + num_val)
    for split, n in (('train', num_train), ('val', num_val)):
        os.makedirs(osp.join(out_dir, 'images', split), exist_ok=True)
        os.makedirs(osp.join(out_dir, 'masks', split), exist_ok=True)
        os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
        images, anns = [], []
        for idx in range(n):
            img, mask, boxes, label = make_scene(rng, size)
            name = f'{idx:06d}.png'
            cv2.imwrite(osp.join(out_dir, 'images', split, name),
                        img[:, :, ::-1])
            cv2.imwrite(osp.join(out_dir, 'masks', split, name), mask)
            images.append(dict(id=idx, file_name=name, width=size, height=size,
                               image_label=IMAGE_CLASSES[label]))
            for b in boxes:
                anns.append(dict(id=len(anns) + 1, image_id=idx,
                                 category_id=b['kind'] + 1, bbox=b['bbox'],
                                 area=b['area'], iscrowd=0))
            progress.update()
        path = osp.join(out_dir, 'annotations', f'{split}.json')
        with open(path, 'w') as f:
            json.dump(dict(images=images, annotations=anns,
                           categories=categories), f)
        paths[split] = path
    return paths
