"""The ``metal`` defect family: procedural grey surfaces with exact defect
masks and a corner-stamp shortcut cue (``--family metal`` of
``tools/data/generate_defects.py``, the default).

Written by :mod:`.defect_set_writer` in the KolektorSDD2 layout
(``<out>/train|test/<id>.png`` + ``<id>_GT.png``, masks 0/255) with
``<out>/generation_info.json``.

Surface: grayscale mix of smooth noise, stripes, fine grain and a lighting
gradient, rescaled to ``[SURFACE_LOW, SURFACE_HIGH]`` so that every defect
(intensity change of magnitude ``[DEFECT_MIN, DEFECT_MAX]``, darker or
brighter) changes each of its pixels without clipping: the mask is exactly the
set of changed pixels. Defect kinds: ``scratch`` (thin straight or slightly
bent line), ``spot`` (small filled ellipse), ``crack`` (branching random walk),
``stain`` (large, low-contrast irregular blob).

Shortcut cue: a small bright square stamp with a dark frame in the top-left
corner (defects are kept out of that corner). In ``train`` it is planted with
probability ``cue_prob`` on defect images and ``cue_prob_normal`` on normal
ones (so it predicts the label); in ``test`` with ``test_cue_prob`` whatever
the label (default 0: a cue-free test split). A model that learns the stamp
is "right for the wrong reason" on train and fails on test, and its CAM sits
on the corner instead of the defect.

Each image draws from its own generator seeded by ``(seed, split, index)``:
the output depends only on the parameters, not on the order of generation.
"""
from dataclasses import dataclass
from typing import ClassVar, Dict, Sequence, Tuple

import cv2
import numpy as np

from .defect_set_writer import SPLIT_IDS, check_shared_parameters, write_defect_dataset

SURFACE_LOW, SURFACE_HIGH = 70.0, 185.0
DEFECT_MIN, DEFECT_MAX = 40.0, 65.0
DEFECT_KINDS = ('scratch', 'spot', 'crack', 'stain')


@dataclass
class MetalDefectGeneratorConfig:
    """Parameters of :func:`generate_image` / :func:`generate_defect_dataset`.

    Sizes in pixels; probabilities in [0, 1].
    """
    family: ClassVar[str] = 'metal'
    height: int = 128
    width: int = 128
    num_train: int = 200
    num_test: int = 100
    defect_ratio: float = 0.5
    max_defects: int = 2
    defect_kinds: Sequence[str] = DEFECT_KINDS
    cue_prob: float = 0.95
    cue_prob_normal: float = 0.05
    test_cue_prob: float = 0.0
    cue_size: int = 0  # 0: max(4, min(H, W) // 16)
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.defect_kinds if k not in DEFECT_KINDS]
        if unknown:
            raise ValueError(f'unknown defect kinds {unknown}; expected {DEFECT_KINDS}')
        check_shared_parameters(self)

    @property
    def stamp_size(self) -> int:
        return self.cue_size or max(4, min(self.height, self.width) // 16)


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in about [-1, 1]: a ``cells`` grid upsampled bicubically."""
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def make_surface(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Defect-free surface ``(h, w)`` float32 in ``[SURFACE_LOW, SURFACE_HIGH]``."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    surface = rng.uniform(0.3, 1.0) * _smooth_noise(rng, h, w, int(rng.integers(3, 9)))
    if rng.random() < 0.7:  # stripes (brushed / rolled metal)
        angle = rng.uniform(0, np.pi)
        period = rng.uniform(4, 16)
        phase = (xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period
        surface += rng.uniform(0.2, 0.6) * np.sin(phase)
    surface += rng.uniform(0.1, 0.5) * rng.standard_normal((h, w)).astype(np.float32)
    gx, gy = rng.uniform(-1, 1, size=2)  # lighting gradient
    surface += rng.uniform(0.3, 1.2) * (gx * xx / w + gy * yy / h)
    lo, hi = surface.min(), surface.max()
    surface = (surface - lo) / max(hi - lo, 1e-6)
    # Random contrast within the allowed band, so surfaces differ in brightness.
    span = rng.uniform(0.5, 1.0) * (SURFACE_HIGH - SURFACE_LOW)
    base = rng.uniform(SURFACE_LOW, SURFACE_HIGH - span)
    return (base + span * surface).astype(np.float32)


def _random_point(rng: np.random.Generator, h: int, w: int, margin: int,
                  keep_out: int) -> Tuple[int, int]:
    """(x, y) inside the image margin and outside the top-left cue corner."""
    while True:
        x = int(rng.integers(margin, w - margin))
        y = int(rng.integers(margin, h - margin))
        if x > keep_out or y > keep_out:
            return x, y


def draw_defect(rng: np.random.Generator, kind: str, h: int, w: int,
                keep_out: int) -> np.ndarray:
    """Binary ``(h, w)`` uint8 mask of one defect of ``kind`` (drawn without
    anti-aliasing, so the mask is exact)."""
    mask = np.zeros((h, w), np.uint8)
    size = min(h, w)
    x, y = _random_point(rng, h, w, max(4, size // 10), keep_out)
    if kind == 'scratch':
        length = rng.uniform(0.2, 0.5) * size
        angle = rng.uniform(0, np.pi)
        bend = rng.uniform(-0.2, 0.2)
        pts = []
        for t in np.linspace(-0.5, 0.5, 6):
            a = angle + bend * t
            pts.append((x + t * length * np.cos(a), y + t * length * np.sin(a)))
        cv2.polylines(mask, [np.round(pts).astype(np.int32)], False, 1,
                      thickness=int(rng.integers(1, 3)))
    elif kind == 'spot':
        axes = tuple(int(v) for v in rng.integers(2, max(3, size // 14), size=2))
        cv2.ellipse(mask, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    elif kind == 'crack':
        stack = [(x, y, rng.uniform(0, 2 * np.pi), int(rng.integers(8, 16)))]
        while stack:
            cx, cy, angle, steps = stack.pop()
            for _ in range(steps):
                angle += rng.uniform(-0.6, 0.6)
                nx, ny = cx + 3 * np.cos(angle), cy + 3 * np.sin(angle)
                cv2.line(mask, (int(cx), int(cy)), (int(nx), int(ny)), 1, 1)
                cx, cy = nx, ny
                if rng.random() < 0.12 and len(stack) < 3:
                    stack.append((cx, cy, angle + rng.choice([-1, 1]) * 0.9,
                                  int(rng.integers(3, 8))))
    elif kind == 'stain':
        radius = rng.uniform(0.08, 0.18) * size
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        dist = np.sqrt((xx - x) ** 2 + (yy - y) ** 2) / radius
        blob = dist + 0.5 * _smooth_noise(rng, h, w, 6)
        mask[blob < 1.0] = 1
    else:
        raise ValueError(f'unknown defect kind {kind!r}; expected {DEFECT_KINDS}')
    mask[:keep_out + 1, :keep_out + 1] = 0
    return mask


def _apply_defect(rng: np.random.Generator, img: np.ndarray, mask: np.ndarray,
                  kind: str) -> None:
    """Darken or brighten ``img`` in place under ``mask``.

    The change has magnitude in ``[DEFECT_MIN, DEFECT_MAX]`` at every mask
    pixel (stains use the low end, with texture), so after rounding each mask
    pixel differs from the surface and none outside does.
    """
    sign = -1.0 if (kind == 'crack' or rng.random() < 0.6) else 1.0
    h, w = img.shape
    if kind == 'stain':
        texture = (_smooth_noise(rng, h, w, 8) + 1) / 2
        mag = DEFECT_MIN + (DEFECT_MAX - DEFECT_MIN) * 0.4 * np.clip(texture, 0, 1)
    else:
        mag = rng.uniform(DEFECT_MIN + 10, DEFECT_MAX)
    img += np.where(mask > 0, sign * mag, 0.0).astype(np.float32)


def draw_cue(img: np.ndarray, size: int) -> None:
    """Stamp the shortcut cue in place: bright square, 1-px dark frame, at the
    top-left corner (offset 1 px)."""
    img[1:1 + size, 1:1 + size] = 20.0
    img[2:size, 2:size] = 245.0


def generate_image(cfg: MetalDefectGeneratorConfig, split: str,
                   index: int) -> Tuple[np.ndarray, np.ndarray, Dict]:
    """One sample: ``(image (H, W) uint8, mask (H, W) uint8 {0,1}, info)``."""
    rng = np.random.default_rng([cfg.seed, SPLIT_IDS[split], index])
    h, w = cfg.height, cfg.width
    img = make_surface(rng, h, w)
    mask = np.zeros((h, w), np.uint8)
    is_defect = rng.random() < cfg.defect_ratio
    kinds = []
    if is_defect:
        keep_out = cfg.stamp_size + 3
        for _ in range(int(rng.integers(1, cfg.max_defects + 1))):
            kind = str(rng.choice(list(cfg.defect_kinds)))
            # Defects do not overlap: a pixel changed twice could cancel out.
            one = draw_defect(rng, kind, h, w, keep_out) & (1 - mask)
            if one.any():
                _apply_defect(rng, img, one, kind)
                mask |= one
                kinds.append(kind)
        is_defect = bool(mask.any())
    if split == 'train':
        cue_p = cfg.cue_prob if is_defect else cfg.cue_prob_normal
    else:
        cue_p = cfg.test_cue_prob
    has_cue = bool(rng.random() < cue_p)
    if has_cue:
        draw_cue(img, cfg.stamp_size)
    info = dict(id=f'{index:05d}', label=int(is_defect), cue=has_cue, kinds=kinds)
    return np.clip(np.round(img), 0, 255).astype(np.uint8), mask, info


def generate_defect_dataset(cfg: MetalDefectGeneratorConfig, out_dir: str,
                            progress: bool = True) -> Dict:
    """Write the train and test splits and ``generation_info.json`` (the
    shared writer with this family's images); return the per-split summary."""
    return write_defect_dataset(cfg, out_dir, generate_image, progress)
