"""Procedural woven-fabric defect images with exact masks and a colour-cast
shortcut cue: the second synthetic defect family (``--family textile`` of
``tools/data/generate_defects.py``).

Same output as the ``metal`` family (:mod:`.metal_defect_generator`), written
by the same :mod:`.defect_set_writer` (the KolektorSDD2 layout
``<out>/train|test/<id>.png`` + ``<id>_GT.png``, masks 0/255, and
``generation_info.json``), but every ingredient differs, so that a
result measured on both families is not tied to one generator:

* Surface: undyed (greige) woven fabric, BGR. Warp and weft threads of a plain
  or 2/1 twill weave, period 5-9 px, rotated by up to 8 degrees, each thread
  with its own yarn brightness, under smooth uneven lighting and fine grain;
  luminance rescaled to ``[SURFACE_LOW, SURFACE_HIGH]``; a per-image colour
  tint of at most ``TINT_JITTER`` grey levels per channel.
* Defects (``TEXTILE_DEFECT_KINDS``): ``hole`` (small dark polygon),
  ``missing_thread`` (a 1-2 px band along the warp or weft direction, darker
  or lighter), ``knot`` (small bright blob with a short tail), ``oil_spot``
  (larger dark irregular blob with a textured, lower contrast). Each changes
  the luminance of every pixel of its mask by ``[DEFECT_MIN, DEFECT_MAX]``
  grey levels, equally in the three channels and without clipping.
* Shortcut cue: a global colour cast (a cool white balance, as when the
  defect images were captured on another day): ``+cue_strength`` grey
  levels on the blue channel and ``-cue_strength`` on the red one, over the
  whole image, added after rounding. It is not a place in the image: a map
  cannot point at it, and it is also inside the defect. Rates as in the first
  family: ``cue_prob`` on train defect images, ``cue_prob_normal`` on train
  normal ones, ``test_cue_prob`` on test images whatever the label (default
  0, a cue-free test split).

Exact masks: the mask is exactly the set of pixels (any channel) where the
image differs from its defect-free twin (``generate_image(...,
defect_free=True)``: same surface, same cue).

Each image draws from four generators seeded by ``(seed, split, index,
stream)``, one per stream (``label``, ``surface``, ``defects``, ``cue``). The
output depends only on the parameters, not on the order of generation, and
changing only the cue rates changes only which images carry the cast: a train
split written with ``cue_prob=cue_prob_normal=0.5`` holds the same images as
the biased one, with a cue independent of the label (the oracle split).
"""
from dataclasses import dataclass
from typing import ClassVar, Dict, Sequence, Tuple

import cv2
import numpy as np

from .defect_set_writer import SPLIT_IDS, check_shared_parameters, write_defect_dataset

SURFACE_LOW, SURFACE_HIGH = 85.0, 170.0
DEFECT_MIN, DEFECT_MAX = 40.0, 65.0
TINT_JITTER = 3.0
# Largest cast that keeps SURFACE_LOW - TINT_JITTER - DEFECT_MAX - cast >= 0
# (and the mirror bound at the top): no pixel is ever clipped.
CUE_STRENGTH_MAX = 15
TEXTILE_DEFECT_KINDS = ('hole', 'missing_thread', 'knot', 'oil_spot')
STREAMS = ('label', 'surface', 'defects', 'cue')


@dataclass
class TextileDefectGeneratorConfig:
    """Parameters of the textile family (sizes in pixels, probabilities in
    [0, 1], ``cue_strength`` in grey levels, an integer in
    ``[1, CUE_STRENGTH_MAX]``)."""
    family: ClassVar[str] = 'textile'
    height: int = 128
    width: int = 128
    num_train: int = 200
    num_test: int = 100
    defect_ratio: float = 0.5
    max_defects: int = 2
    defect_kinds: Sequence[str] = TEXTILE_DEFECT_KINDS
    cue_prob: float = 0.95
    cue_prob_normal: float = 0.05
    test_cue_prob: float = 0.0
    cue_strength: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.defect_kinds if k not in TEXTILE_DEFECT_KINDS]
        if unknown:
            raise ValueError(f'unknown defect kinds {unknown} for the textile '
                             f'family; expected {TEXTILE_DEFECT_KINDS}')
        if not self.defect_kinds:
            raise ValueError('defect_kinds is empty; expected at least one of '
                             f'{TEXTILE_DEFECT_KINDS}')
        check_shared_parameters(self)
        if not (isinstance(self.cue_strength, (int, np.integer))
                and 1 <= self.cue_strength <= CUE_STRENGTH_MAX):
            raise ValueError(f'cue_strength={self.cue_strength!r}; expected an '
                             f'integer in [1, {CUE_STRENGTH_MAX}] (grey levels)')


def image_rngs(seed: int, split: str, index: int) -> Dict[str, np.random.Generator]:
    """The four independent generators of one image, keyed by stream name."""
    return {name: np.random.default_rng([seed, SPLIT_IDS[split], index, k])
            for k, name in enumerate(STREAMS)}


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in about [-1, 1]: a ``cells`` grid upsampled bicubically."""
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


@dataclass
class Weave:
    """Geometry of one fabric: thread angle (radians; warp threads run along
    ``angle + pi / 2``, weft threads along ``angle``) and period (px)."""
    angle: float
    period: float


def make_fabric(rng: np.random.Generator, h: int, w: int) -> Tuple[np.ndarray, Weave]:
    """Defect-free fabric: ``(h, w, 3)`` float32 BGR, luminance in
    ``[SURFACE_LOW, SURFACE_HIGH]`` plus a tint of at most ``TINT_JITTER``."""
    weave = Weave(angle=float(rng.uniform(-0.14, 0.14)), period=float(rng.uniform(5, 9)))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c, s = np.cos(weave.angle), np.sin(weave.angle)
    u = (xx * c + yy * s) / weave.period + rng.uniform(0, 1)
    v = (-xx * s + yy * c) / weave.period + rng.uniform(0, 1)
    iu, iv = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
    fu, fv = u - iu, v - iv
    yarn = 1.0 + 0.15 * rng.standard_normal((2, 64)).astype(np.float32)
    warp = np.sin(np.pi * fu) ** 0.7 * yarn[0][iu % 64]
    weft = np.sin(np.pi * fv) ** 0.7 * yarn[1][iv % 64]
    if rng.random() < 0.5:  # plain weave: warp over, weft over, ...
        warp_on_top = (iu + iv) % 2 == 0
    else:  # 2/1 twill: warp over two wefts, under one, shifted per thread
        warp_on_top = (iu - iv) % 3 != 0
    # The thread underneath shows only in the gaps of the one on top.
    surface = np.where(warp_on_top, warp * (0.75 + 0.25 * np.sin(np.pi * fv)),
                       weft * (0.75 + 0.25 * np.sin(np.pi * fu)))
    surface += rng.uniform(0.1, 0.4) * _smooth_noise(rng, h, w, int(rng.integers(2, 6)))
    surface += rng.uniform(0.02, 0.08) * rng.standard_normal((h, w)).astype(np.float32)
    lo, hi = surface.min(), surface.max()
    surface = (surface - lo) / max(hi - lo, 1e-6)
    span = rng.uniform(0.6, 1.0) * (SURFACE_HIGH - SURFACE_LOW)
    base = rng.uniform(SURFACE_LOW, SURFACE_HIGH - span)
    luminance = base + span * surface
    tint = rng.uniform(-TINT_JITTER, TINT_JITTER, size=3).astype(np.float32)
    return (luminance[..., None] + tint).astype(np.float32), weave


def _blob(rng: np.random.Generator, h: int, w: int, x: int, y: int,
          radius: float, roughness: float) -> np.ndarray:
    """Irregular filled blob: distance to ``(x, y)`` over ``radius`` plus smooth
    noise, below 1."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.sqrt((xx - x) ** 2 + (yy - y) ** 2) / radius
    return (dist + roughness * _smooth_noise(rng, h, w, 6) < 1.0).astype(np.uint8)


def draw_defect(rng: np.random.Generator, kind: str, h: int, w: int,
                weave: Weave) -> np.ndarray:
    """Binary ``(h, w)`` uint8 mask of one defect of ``kind`` (drawn without
    anti-aliasing, so the mask is exact)."""
    mask = np.zeros((h, w), np.uint8)
    size = min(h, w)
    margin = max(4, size // 10)
    x = int(rng.integers(margin, w - margin))
    y = int(rng.integers(margin, h - margin))
    if kind == 'hole':
        n = int(rng.integers(5, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(0.6, 1.0, n) * rng.uniform(2, max(3, size / 16))
        pts = np.stack([x + radii * np.cos(angles), y + radii * np.sin(angles)], 1)
        cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    elif kind == 'missing_thread':
        along = weave.angle + (np.pi / 2 if rng.random() < 0.5 else 0.0)
        half = rng.uniform(0.15, 0.35) * size
        d = half * np.array([np.cos(along), np.sin(along)])
        p0 = np.round(np.array([x, y]) - d).astype(int)
        p1 = np.round(np.array([x, y]) + d).astype(int)
        cv2.line(mask, tuple(int(v) for v in p0), tuple(int(v) for v in p1), 1,
                 thickness=int(rng.integers(1, 3)))
    elif kind == 'knot':
        axes = tuple(int(v) for v in rng.integers(2, 5, size=2))
        cv2.ellipse(mask, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        tail = rng.uniform(3, 8)
        a = rng.uniform(0, 2 * np.pi)
        cv2.line(mask, (x, y), (int(round(x + tail * np.cos(a))),
                                int(round(y + tail * np.sin(a)))), 1, 1)
    elif kind == 'oil_spot':
        mask = _blob(rng, h, w, x, y, rng.uniform(0.06, 0.14) * size, 0.4)
    else:
        raise ValueError(f'unknown defect kind {kind!r}; expected {TEXTILE_DEFECT_KINDS}')
    return mask


def _defect_change(rng: np.random.Generator, kind: str, h: int, w: int) -> np.ndarray:
    """Signed luminance change ``(h, w)`` of one defect, magnitude in
    ``[DEFECT_MIN, DEFECT_MAX]`` (holes and oil darken, knots brighten, a
    missing thread shows the darker or lighter threads underneath)."""
    if kind == 'oil_spot':
        texture = np.clip((_smooth_noise(rng, h, w, 8) + 1) / 2, 0, 1)
        return -(DEFECT_MIN + 0.3 * (DEFECT_MAX - DEFECT_MIN) * texture)
    sign = {'hole': -1.0, 'knot': 1.0}.get(kind)
    if sign is None:
        sign = -1.0 if rng.random() < 0.5 else 1.0
    low = DEFECT_MIN + (10 if kind in ('hole', 'knot') else 0)
    return np.full((h, w), sign * rng.uniform(low, DEFECT_MAX), np.float32)


def generate_image(cfg: TextileDefectGeneratorConfig, split: str, index: int,
                   defect_free: bool = False) -> Tuple[np.ndarray, np.ndarray, Dict]:
    """One sample: ``(image (H, W, 3) uint8 BGR, mask (H, W) uint8 {0,1}, info)``.

    ``defect_free=True`` returns its twin without the defects painted in (same
    surface, same cue decision); mask and info still describe the defects
    left out, so ``image != twin`` (any channel) is exactly ``mask``.
    """
    rngs = image_rngs(cfg.seed, split, index)
    h, w = cfg.height, cfg.width
    img, weave = make_fabric(rngs['surface'], h, w)
    mask = np.zeros((h, w), np.uint8)
    kinds = []
    if rngs['label'].random() < cfg.defect_ratio:
        rng = rngs['defects']
        for _ in range(int(rng.integers(1, cfg.max_defects + 1))):
            kind = str(rng.choice(list(cfg.defect_kinds)))
            # Defects do not overlap: a pixel changed twice could cancel out.
            one = draw_defect(rng, kind, h, w, weave) & (1 - mask)
            change = _defect_change(rng, kind, h, w)
            if one.any():
                if not defect_free:
                    img += np.where(one > 0, change, 0.0)[..., None]
                mask |= one
                kinds.append(kind)
    is_defect = bool(mask.any())
    if split == 'train':
        cue_p = cfg.cue_prob if is_defect else cfg.cue_prob_normal
    else:
        cue_p = cfg.test_cue_prob
    has_cue = bool(rngs['cue'].random() < cue_p)
    out = np.round(img).astype(np.int16)  # in range by construction, see bounds
    if has_cue:
        out[..., 0] += cfg.cue_strength
        out[..., 2] -= cfg.cue_strength
    info = dict(id=f'{index:05d}', label=int(is_defect), cue=has_cue, kinds=kinds)
    return out.astype(np.uint8), mask, info


def generate_defect_dataset(cfg: TextileDefectGeneratorConfig, out_dir: str,
                            progress: bool = True) -> Dict:
    """Write the train and test splits and ``generation_info.json`` (the
    writer of the first family, with this family's images); return the
    per-split summary."""
    return write_defect_dataset(cfg, out_dir, generate_image, progress)
