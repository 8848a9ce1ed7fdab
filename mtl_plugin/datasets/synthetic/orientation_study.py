"""Synthetic data of the 3-task 32x32 study.

Each 32x32 image shows one of 10 shapes, rotated into one of 32 orientation
bins, drawn with a gray level. Labels are determined by the image:

* A ``shape`` (10 classes): every shape is a polygon with no rotational
  symmetry, so its orientation over a full turn is defined;
* B ``orientation`` (32 classes): bin ``b`` covers ``[b, b+1) * 11.25``
  degrees; the angle is drawn in the central 60 % of the bin so that
  rasterisation cannot push it into a neighbour bin;
* C ``intensity`` (regression): the shape's gray level in [0.3, 1.0]
  (the background stays dark, pixel value = 255 * intensity).

Shapes are rendered at 8x resolution and area-downsampled (anti-aliasing),
so small rotations still change the pixels. Position jitters by +-2 px and
size by +-8 %, so neither alone reveals the labels.
"""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import cv2
import numpy as np
from mmengine.utils import ProgressBar

NUM_ORIENTATIONS = 32
#: Polygons in unit coordinates (pointing along +x); none is symmetric
#: under any rotation other than the full turn.
SHAPES = {
    'arrow': [(1, 0), (0.1, 0.6), (0.1, 0.25), (-0.9, 0.25), (-0.9, -0.25),
              (0.1, -0.25), (0.1, -0.6)],
    'kite': [(1, 0), (-0.2, 0.5), (-0.7, 0), (-0.2, -0.5)],
    'L': [(-0.8, -0.8), (0.9, -0.8), (0.9, -0.35), (-0.35, -0.35),
          (-0.35, 0.9), (-0.8, 0.9)],
    'T_offset': [(-0.9, 0.9), (0.9, 0.9), (0.9, 0.45), (0.3, 0.45), (0.3, -0.9),
     (-0.15, -0.9), (-0.15, 0.45), (-0.9, 0.45)],
    'wedge': [(1, 0.1), (-0.8, 0.7), (-0.8, -0.5)],
    'house': [(1, 0), (0.3, 0.6), (-0.8, 0.6), (-0.8, -0.6), (0.3, -0.6)],
    'flag': [(-0.8, -0.9), (-0.5, -0.9), (-0.5, -0.1), (0.9, 0.35),
             (-0.5, 0.8), (-0.5, 0.9), (-0.8, 0.9)],
    'step': [(-0.9, -0.9), (0.0, -0.9), (0.0, -0.1), (0.9, -0.1),
             (0.9, 0.9), (-0.9, 0.9)],
    'hook': [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (0.3, 0.9), (0.3, -0.4),
             (-0.4, -0.4), (-0.4, 0.3), (-0.9, 0.3)],
    'tri_notch': [(1, 0), (-0.8, 0.8), (-0.4, 0.0), (-0.8, -0.8)],
}
SHAPE_NAMES = tuple(SHAPES)
CHANCE = dict(shape=1 / len(SHAPES), orientation=1 / NUM_ORIENTATIONS)


def render(shape: int, angle_deg: float, intensity: float,
           rng: np.random.Generator, size: int = 32,
           supersample: int = 8) -> np.ndarray:
    """Image ``(size, size, 3)`` uint8 of shape ``shape`` at ``angle_deg``."""
    s = size * supersample
    pts = np.asarray(SHAPES[SHAPE_NAMES[shape]], dtype=np.float64)
    pts = pts - pts.mean(0)  # rotate about the centroid of the vertices
    t = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    scale = size * 0.36 * rng.uniform(0.92, 1.08) * supersample
    centre = (np.array([size / 2, size / 2]) + rng.uniform(-2, 2, 2)) * supersample
    # Image y grows downwards: flip y so angles turn counter-clockwise.
    xy = pts @ rot.T * scale * np.array([1, -1]) + centre
    canvas = np.zeros((s, s), np.float32)
    cv2.fillPoly(canvas, [np.round(xy * 16).astype(np.int32)], 1.0, shift=4)
    small = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    img = small * intensity * 255 + rng.normal(0, 3, small.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return np.repeat(img[:, :, None], 3, axis=2)


def sample_item(rng: np.random.Generator, size: int = 32
                ) -> Tuple[np.ndarray, int, int, float]:
    """Random (image, shape, orientation bin, intensity)."""
    shape = int(rng.integers(len(SHAPES)))
    orient = int(rng.integers(NUM_ORIENTATIONS))
    width = 360.0 / NUM_ORIENTATIONS
    angle = (orient + rng.uniform(0.2, 0.8)) * width
    intensity = float(np.round(rng.uniform(0.3, 1.0), 4))
    return render(shape, angle, intensity, rng, size), shape, orient, intensity


def generate_orientation_study(out_dir: str, num_train: int = 6000,
                               num_val: int = 1000, size: int = 32,
                               seed: int = 0) -> Dict[str, str]:
    """Write ``images/<split>/*.png`` and ``annotations/<split>.json``
    (mmengine ``BaseDataset`` format). Returns ``{split: annotation path}``."""
    rng = np.random.default_rng(seed)
    paths = {}
    progress = ProgressBar(num_train + num_val)
    metainfo = dict(num_shapes=len(SHAPES), num_orientations=NUM_ORIENTATIONS,
                    shape_names=list(SHAPE_NAMES))
    for split, n in (('train', num_train), ('val', num_val)):
        os.makedirs(osp.join(out_dir, 'images', split), exist_ok=True)
        os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
        items = []
        for idx in range(n):
            img, shape, orient, intensity = sample_item(rng, size)
            rel = f'{split}/{idx:06d}.png'
            cv2.imwrite(osp.join(out_dir, 'images', rel), img)
            items.append(dict(img_path=rel, shape=shape, orientation=orient,
                              intensity=intensity))
            progress.update()
        path = osp.join(out_dir, 'annotations', f'{split}.json')
        with open(path, 'w') as f:
            json.dump(dict(metainfo=metainfo, data_list=items), f)
        paths[split] = path
    return paths
