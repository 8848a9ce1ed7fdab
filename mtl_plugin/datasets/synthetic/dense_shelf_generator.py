"""Synthetic dense retail shelves written in the SKU-110K CSV format.

SKU-110K's images may not be redistributed, so tests, demos and the CPU
evidence run use these instead: horizontal shelves separated by dark boards,
each holding a row of tightly packed products. A row shares one product
shape (aspect ratio height/width drawn log-uniformly in ``aspect_range``,
i.e. from wide boxes to tall bottles) with per-product jitter of width and
height, gaps of 0-``max_gap`` pixels, and one colour per product with a
lighter label band, so that neighbours are separable only at their edges, as
on real shelves.
"""
import csv
import os
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar
from PIL import Image


def _layout(rng: np.random.Generator, width: int, height: int, target: float,
            aspect_range: Tuple[float, float], max_gap: int) -> np.ndarray:
    """Product boxes ``(N, 4)`` ``[x1, y1, x2, y2]`` (int pixels, x2/y2
    exclusive) for about ``target`` products filling the image."""
    mean_area = width * height * 0.8 / target
    boxes = []
    y = int(rng.integers(0, 4))
    while True:
        aspect = float(np.exp(rng.uniform(*np.log(aspect_range))))
        area = mean_area * rng.uniform(0.7, 1.3)
        prod_h = max(4, int(round(np.sqrt(area * aspect))))
        prod_w = max(4, int(round(np.sqrt(area / aspect))))
        row_h = int(round(prod_h * rng.uniform(1.05, 1.2)))
        board = int(rng.integers(2, 5))
        if y + row_h + board > height:
            break
        bottom = y + row_h
        x = int(rng.integers(0, max_gap + 2))
        while True:
            w = max(3, int(round(prod_w * rng.uniform(0.85, 1.15))))
            h = max(3, int(round(prod_h * rng.uniform(0.85, 1.0))))
            if x + w > width:
                break
            boxes.append([x, bottom - h, x + w, bottom])
            x += w + int(rng.integers(0, max_gap + 1))
        y = bottom + board
    return np.asarray(boxes, dtype=np.int64).reshape(-1, 4)


def _draw(rng: np.random.Generator, width: int, height: int,
          boxes: np.ndarray) -> np.ndarray:
    """Render shelves and products, ``(H, W, 3)`` uint8 RGB."""
    img = np.empty((height, width, 3), dtype=np.float32)
    img[:] = rng.uniform(60, 110, size=3)  # shelf back wall
    # Boards: a dark band under each row of products.
    for bottom in np.unique(boxes[:, 3]) if len(boxes) else []:
        img[bottom:bottom + 3] = (70, 50, 35)
    for x1, y1, x2, y2 in boxes:
        colour = rng.uniform(30, 230, size=3)
        img[y1:y2, x1:x2] = colour
        # Darker outline so that touching products still have an edge.
        img[y1:y2, x1] = colour * 0.5
        img[y1:y2, x2 - 1] = colour * 0.5
        img[y1, x1:x2] = colour * 0.5
        h = y2 - y1
        if h >= 8:
            top = y1 + int(h * rng.uniform(0.3, 0.5))
            img[top:top + max(2, h // 4), x1 + 1:x2 - 1] = np.minimum(
                colour + 80, 255)
    img += rng.normal(0, 6, size=img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def generate_shelf_image(rng: np.random.Generator,
                         width: int = 512,
                         height: int = 512,
                         num_objects: Tuple[int, int] = (100, 400),
                         aspect_range: Tuple[float, float] = (0.6, 3.0),
                         max_gap: int = 2) -> Tuple[np.ndarray, np.ndarray]:
    """One shelf image and its product boxes.

    Args:
        rng: numpy random generator.
        width, height: image size in pixels.
        num_objects: inclusive range of the number of products.
        aspect_range: range of product height / width.
        max_gap: largest horizontal gap between neighbours in pixels.

    Returns:
        ``img`` ``(height, width, 3)`` uint8 RGB and ``boxes`` ``(N, 4)``
        float32 ``[x1, y1, x2, y2]`` pixels with ``N`` in ``num_objects``.

    Raises:
        ValueError: the image is too small to hold ``num_objects`` products
            of at least 4x4 pixels.
    """
    lo, hi = num_objects
    if not 0 < lo <= hi:
        raise ValueError(f'num_objects must be a range 0 < lo <= hi, got '
                         f'{num_objects}')
    if width * height * 0.8 / hi < 16:
        raise ValueError(f'a {width}x{height} image cannot hold {hi} '
                         'products of at least 4x4 pixels')
    target = int(rng.integers(lo, hi + 1))
    aim = float(target)
    boxes = np.zeros((0, 4), dtype=np.int64)
    for _ in range(50):
        boxes = _layout(rng, width, height, aim, aspect_range, max_gap)
        if lo <= len(boxes) <= hi:
            break
        # Rows quantise the count; aim again with the size corrected.
        aim *= float(np.clip(target / max(len(boxes), 1), 0.5, 2.0))
    else:
        raise RuntimeError(f'could not lay out {lo}-{hi} products on a '
                           f'{width}x{height} image (last try: {len(boxes)})')
    return _draw(rng, width, height, boxes), boxes.astype(np.float32)


def write_shelf_split(out_dir: str,
                      split: str,
                      num_images: int,
                      seed: int = 0,
                      width: int = 512,
                      height: int = 512,
                      num_objects: Tuple[int, int] = (100, 400),
                      progress: bool = True) -> str:
    """Write ``num_images`` shelves in the SKU-110K layout.

    Files: ``<out_dir>/images/<split>_<i>.jpg`` and
    ``<out_dir>/annotations/annotations_<split>.csv`` (rows
    ``image_name,x1,y1,x2,y2,class,image_width,image_height``, class
    ``object``). ``progress`` shows a progress bar. Returns the CSV path.
    """
    rng = np.random.default_rng(seed)
    img_dir = osp.join(out_dir, 'images')
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    csv_path = osp.join(ann_dir, f'annotations_{split}.csv')
    rows: List[Sequence] = []
    bar = ProgressBar(num_images) if progress else None
    for i in range(num_images):
        img, boxes = generate_shelf_image(rng, width, height, num_objects)
        name = f'{split}_{i}.jpg'
        Image.fromarray(img).save(osp.join(img_dir, name), quality=95)
        rows += [(name, *map(int, box), 'object', width, height)
                 for box in boxes]
        if bar is not None:
            bar.update()
    with open(csv_path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    return csv_path
