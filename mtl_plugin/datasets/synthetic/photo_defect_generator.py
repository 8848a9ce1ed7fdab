"""Thin, low-contrast defects drawn on real texture photographs, with exact masks
and a choice of three shortcut cues: the third defect family (``--family
photo`` of ``tools/data/generate_defects.py``).

Same output as the ``metal`` and ``textile`` families, written by the same
:mod:`.defect_set_writer` (``<out>/train|test/<id>.png`` + ``<id>_GT.png``,
masks 0/255, and ``generation_info.json``), with BGR uint8 images of shape
``(H, W, 3)``. What differs:

* Surface: a random view of one of the photographs of :mod:`.photo_surfaces`
  (``brick``, ``grass``, ``gravel`` in grey, ``wood`` in colour; all CC0,
  shipped inside the scikit-image package): crop at any rotation, mirrored or
  not, zoom jitter, gamma, an illumination gradient, gain and brightness; every
  channel in ``[SURFACE_LOW, SURFACE_HIGH]`` = [45, 210] grey levels. The
  surface of each image is drawn uniformly from ``surfaces`` (except under the
  ``surface`` cue, below) and recorded in its info.
* Defects (``PHOTO_DEFECT_KINDS``), thin or faint where the other families'
  are bold (a 40-65 grey-level step): ``hairline`` (a curved scratch,
  brighter or darker by ``HAIRLINE_RANGE`` (18-35) grey levels times a profile
  that varies along the line between 0.5 and 1; half of them 2 px wide),
  ``stain`` (an irregular blob that darkens the texture underneath by a
  smoothly varying ``STAIN_RANGE`` fraction, 15-30 %, so the texture shows
  through) and ``crack_network`` (two or three
  1 px branching random-walk cracks from one point, darkening by
  ``CRACK_RANGE`` (25-45 %), each generation of branches fainter). Every mask pixel
  changes by at least ``MIN_CHANGE`` grey levels before rounding, so by at
  least one after it, and no value leaves [0, 255] (see the bounds below).
* Shortcut cue (``shortcut``), planted in ``train`` with probability
  ``cue_prob`` on defect images and ``cue_prob_normal`` on normal ones, and in
  ``test`` with ``test_cue_prob`` whatever the label (default 0):

  - ``stamp``: a bright square with a dark frame in the top-left corner, side
    ``cue_size`` px (0: ``max(4, min(H, W) // 16)``), as in the metal family;
    defects are kept out of that corner in every image of the set.
  - ``global``: a warm colour cast over the whole image, ``+cue_strength``
    grey levels on the red channel and ``-cue_strength`` on the blue one (0:
    ``DEFAULT_CUE_STRENGTH``), added after rounding; grey surfaces become
    slightly warm, the wood warmer.
  - ``surface``: the image shows the flagged surface ``cue_surface`` (``''``:
    the first of ``surfaces``), as when one product line has most of the
    defects; without the cue it shows one of the other surfaces, drawn
    uniformly. So ``test_cue_prob`` is the share of the flagged surface in the
    test split, independent of the label: 0 (the default) leaves it out of
    the test split, ``1 / len(surfaces)`` gives every surface the same share.

Exact masks: the mask is exactly the set of pixels (any channel) where the
image differs from its defect-free twin (``generate_image(...,
defect_free=True)``: same surface, same view, same cue).

Each image draws from four generators seeded by ``(seed, split, index,
stream)``, one per stream (``label``, ``surface``, ``defects``, ``cue``), so the
output depends only on the parameters, not on the order of generation. The
oracle twin: a train split written with ``cue_prob=cue_prob_normal=0.5`` has a
cue independent of the label. Under ``stamp`` and ``global`` it holds the same
images as the biased split apart from the cue (images whose cue decision is
unchanged are identical; the others differ by the stamp or the cast). Under
``surface`` it holds the same labels, masks, defect kinds and the same random
draws of the view (:func:`.photo_surfaces.render_surface`), and images whose
cue decision is unchanged are identical; an image whose decision flips shows
another photograph through the same window (so its pixels differ everywhere;
a stain's darkening fraction is the same, its change in grey levels follows
the new texture). With ``cue_prob=cue_prob_normal=1 / len(surfaces)`` the
surfaces of the twin are also uniform.
"""
from dataclasses import dataclass
from typing import ClassVar, Dict, List, NamedTuple, Sequence, Tuple

import cv2
import numpy as np

from .defect_set_writer import SPLIT_IDS, check_shared_parameters, write_defect_dataset
from .photo_surfaces import PHOTO_SURFACES, SURFACE_HIGH, SURFACE_LOW, render_surface

PHOTO_DEFECT_KINDS = ('hairline', 'stain', 'crack_network')
SHORTCUT_KINDS = ('stamp', 'global', 'surface')
STREAMS = ('label', 'surface', 'defects', 'cue')
HAIRLINE_RANGE = (18.0, 35.0)  # grey levels at the strongest point of the line
HAIRLINE_PROFILE_MIN = 0.5  # weakest point of the line, relative to the strongest
STAIN_RANGE = (0.15, 0.30)  # darkening fraction
CRACK_RANGE = (0.25, 0.45)  # darkening fraction of the trunks
CRACK_FADE = 0.85  # each generation of branches darkens by this times its parent's
CRACK_GENERATIONS = 2  # branches of branches, at most
DEFAULT_CUE_STRENGTH = 8
CUE_STRENGTH_MAX = 10
# Smallest change of a mask pixel: the weakest hairline point and the weakest
# darkening of the darkest surface value (the faintest crack branch darkens by
# CRACK_RANGE[0] * CRACK_FADE ** CRACK_GENERATIONS = 18 %).
MIN_CHANGE = min(HAIRLINE_RANGE[0] * HAIRLINE_PROFILE_MIN,
                 SURFACE_LOW * min(STAIN_RANGE[0],
                                   CRACK_RANGE[0] * CRACK_FADE ** CRACK_GENERATIONS))
# No clipping: the darkest hairline under the cast stays >= 0 and the brightest
# <= 255 (darkening is a fraction and never goes below 0).
assert MIN_CHANGE > 1.0
assert SURFACE_LOW - HAIRLINE_RANGE[1] - CUE_STRENGTH_MAX >= 0
assert SURFACE_HIGH + HAIRLINE_RANGE[1] + CUE_STRENGTH_MAX <= 255


def _check_names(field: str, names: Sequence[str], known: Tuple[str, ...]) -> None:
    """``ValueError`` naming ``field`` unless ``names`` are distinct and known."""
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f'unknown {field} {unknown} for the photo family; '
                         f'expected some of {known}')
    if not names:
        raise ValueError(f'{field} is empty; expected at least one of {known}')
    if len(set(names)) != len(names):
        raise ValueError(f'{field}={list(names)} lists a name twice')


@dataclass
class PhotoDefectGeneratorConfig:
    """Parameters of the photo family (sizes in pixels, probabilities in
    [0, 1], ``cue_strength`` in grey levels; ``cue_size``, ``cue_strength`` and
    ``cue_surface`` apply to their shortcut only and keep their 0 / ``''``
    default under the others)."""
    family: ClassVar[str] = 'photo'
    height: int = 128
    width: int = 128
    num_train: int = 200
    num_test: int = 100
    defect_ratio: float = 0.5
    max_defects: int = 2
    defect_kinds: Sequence[str] = PHOTO_DEFECT_KINDS
    surfaces: Sequence[str] = PHOTO_SURFACES
    shortcut: str = 'stamp'
    cue_prob: float = 0.95
    cue_prob_normal: float = 0.05
    test_cue_prob: float = 0.0
    cue_size: int = 0  # stamp: side in px; 0: max(4, min(H, W) // 16)
    cue_strength: int = 0  # global: cast in grey levels; 0: DEFAULT_CUE_STRENGTH
    cue_surface: str = ''  # surface: the flagged surface; '': the first of surfaces
    seed: int = 0

    def __post_init__(self) -> None:
        _check_names('defect_kinds', self.defect_kinds, PHOTO_DEFECT_KINDS)
        _check_names('surfaces', self.surfaces, PHOTO_SURFACES)
        if self.shortcut not in SHORTCUT_KINDS:
            raise ValueError(f'shortcut={self.shortcut!r}; expected one of '
                             f'{SHORTCUT_KINDS}')
        check_shared_parameters(self)
        for name, owner in (('cue_size', 'stamp'), ('cue_strength', 'global'),
                            ('cue_surface', 'surface')):
            if getattr(self, name) and self.shortcut != owner:
                raise ValueError(f'{name}={getattr(self, name)!r} applies to '
                                 f'shortcut={owner!r} only, not {self.shortcut!r}')
        if not (isinstance(self.cue_size, (int, np.integer))
                and 0 <= self.cue_size <= min(self.height, self.width) // 4):
            raise ValueError(f'cue_size={self.cue_size!r}; expected an integer in '
                             f'[0, {min(self.height, self.width) // 4}] (px, 0: auto)')
        if not (isinstance(self.cue_strength, (int, np.integer))
                and 0 <= self.cue_strength <= CUE_STRENGTH_MAX):
            raise ValueError(f'cue_strength={self.cue_strength!r}; expected an integer '
                             f'in [0, {CUE_STRENGTH_MAX}] (grey levels, 0: '
                             f'{DEFAULT_CUE_STRENGTH})')
        if self.shortcut == 'surface':
            if len(self.surfaces) < 2:
                raise ValueError(f'surfaces={list(self.surfaces)}; shortcut '
                                 "'surface' needs at least two surfaces")
            if self.flagged_surface not in self.surfaces:
                raise ValueError(f'cue_surface={self.cue_surface!r}; expected one of '
                                 f'surfaces={list(self.surfaces)}')

    @property
    def stamp_size(self) -> int:
        """Side of the stamp cue in px."""
        return self.cue_size or max(4, min(self.height, self.width) // 16)

    @property
    def cast(self) -> int:
        """Strength of the colour-cast cue in grey levels."""
        return self.cue_strength or DEFAULT_CUE_STRENGTH

    @property
    def flagged_surface(self) -> str:
        """The surface that is the cue of the ``surface`` shortcut."""
        return self.cue_surface or self.surfaces[0]


def image_rngs(seed: int, split: str, index: int) -> Dict[str, np.random.Generator]:
    """The four independent generators of one image, keyed by stream name."""
    return {name: np.random.default_rng([seed, SPLIT_IDS[split], index, k])
            for k, name in enumerate(STREAMS)}


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in about [-1, 1]: a ``cells`` grid upsampled bicubically."""
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


class Defect(NamedTuple):
    """One defect: ``mask`` ``(H, W)`` uint8 {0, 1}; on its pixels a value
    ``v`` becomes ``v * factor + offset`` (``(H, W)`` float32 maps, the same
    change in the three channels)."""
    kind: str
    mask: np.ndarray
    factor: np.ndarray
    offset: np.ndarray


def _hairline(rng: np.random.Generator, mask: np.ndarray, offset: np.ndarray,
              x: float, y: float, size: int) -> None:
    """A 1 or 2 px wide curved scratch through ``(x, y)``: its path turns
    smoothly (up to 0.04 rad per px) and its brightness change varies along
    it."""
    h, w = mask.shape
    length = rng.uniform(0.3, 0.7) * size
    n = max(2, int(length / 0.5))  # half-pixel steps leave no gaps
    t = np.linspace(0, 1, n)
    curvature = np.interp(t, np.linspace(0, 1, 4), rng.uniform(-0.04, 0.04, 4))
    heading = rng.uniform(0, 2 * np.pi) + 0.5 * np.cumsum(curvature)
    path = 0.5 * np.cumsum(np.stack([np.cos(heading), np.sin(heading)], 1), 0)
    path += np.array([x, y]) - path[n // 2]
    profile = np.interp(t, np.linspace(0, 1, 6), rng.uniform(HAIRLINE_PROFILE_MIN, 1, 6))
    sign = -1.0 if rng.random() < 0.5 else 1.0
    change = sign * rng.uniform(*HAIRLINE_RANGE) * profile
    px, py = np.round(path).astype(int).T
    # half of the scratches are 2 px wide: the path again, one pixel across
    # its mean direction
    width = int(rng.integers(1, 3))
    across = np.array([-np.sin(heading.mean()), np.cos(heading.mean())])
    step = np.round(across / np.abs(across).max()).astype(int)
    for k in range(width):
        qx, qy = px + k * step[0], py + k * step[1]
        keep = (qx >= 0) & (qx < w) & (qy >= 0) & (qy < h)
        mask[qy[keep], qx[keep]] = 1
        offset[qy[keep], qx[keep]] = change[keep]


def _crack_network(rng: np.random.Generator, mask: np.ndarray, factor: np.ndarray,
                   x: float, y: float, size: int) -> None:
    """Two or three 1 px cracks from ``(x, y)``, each a random walk in 0.7 px
    steps that branches off thinner, fainter cracks."""
    h, w = mask.shape
    reach = rng.uniform(0.15, 0.3) * size / 0.7  # steps of a trunk
    darkening = rng.uniform(*CRACK_RANGE)
    start = rng.uniform(0, 2 * np.pi)
    trunks = int(rng.integers(2, 4))
    stack = [(x, y, start + k * 2 * np.pi / trunks + rng.uniform(-0.5, 0.5),
              int(reach), 0, darkening) for k in range(trunks)]
    branches = 0
    while stack:
        cx, cy, heading, steps, generation, dark = stack.pop()
        for _ in range(steps):
            heading += rng.normal(0, 0.15)
            cx, cy = cx + 0.7 * np.cos(heading), cy + 0.7 * np.sin(heading)
            ix, iy = int(round(cx)), int(round(cy))
            if not (0 <= ix < w and 0 <= iy < h):
                break
            mask[iy, ix] = 1
            factor[iy, ix] = 1 - dark
            if generation < CRACK_GENERATIONS and branches < 12 and rng.random() < 0.05:
                branches += 1
                turn = rng.choice([-1, 1]) * rng.uniform(0.5, 1.3)
                stack.append((cx, cy, heading + turn, int(rng.uniform(0.3, 0.6) * reach),
                              generation + 1, dark * CRACK_FADE))


def draw_defect(rng: np.random.Generator, kind: str, h: int, w: int) -> Defect:
    """One defect of ``kind`` somewhere in an ``(h, w)`` image (pixels set
    one by one or by threshold, without anti-aliasing, so the mask is exact)."""
    mask = np.zeros((h, w), np.uint8)
    factor = np.ones((h, w), np.float32)
    offset = np.zeros((h, w), np.float32)
    size = min(h, w)
    margin = max(4, size // 10)
    x = float(rng.integers(margin, w - margin))
    y = float(rng.integers(margin, h - margin))
    if kind == 'hairline':
        _hairline(rng, mask, offset, x, y, size)
    elif kind == 'stain':
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        dist = np.sqrt((xx - x) ** 2 + (yy - y) ** 2) / (rng.uniform(0.08, 0.18) * size)
        mask[dist + 0.6 * _smooth_noise(rng, h, w, 6) < 1.0] = 1
        shade = np.clip((_smooth_noise(rng, h, w, 8) + 1) / 2, 0, 1)
        low, high = STAIN_RANGE
        factor = np.where(mask > 0, 1 - (low + (high - low) * shade), 1).astype(np.float32)
    elif kind == 'crack_network':
        _crack_network(rng, mask, factor, x, y, size)
    else:
        raise ValueError(f'unknown defect kind {kind!r}; expected {PHOTO_DEFECT_KINDS}')
    return Defect(kind, mask, factor, offset)


def _pick_surface(cfg: PhotoDefectGeneratorConfig, rngs: Dict[str, np.random.Generator],
                  has_cue: bool) -> str:
    """The surface of one image: the flagged one or one of the others under the
    ``surface`` cue (both drawn from the cue stream, whatever the decision, so
    that only a flipped decision changes the surface), uniform otherwise."""
    if cfg.shortcut != 'surface':
        return cfg.surfaces[int(rngs['surface'].integers(len(cfg.surfaces)))]
    others = [s for s in cfg.surfaces if s != cfg.flagged_surface]
    other = others[int(rngs['cue'].integers(len(others)))]
    return cfg.flagged_surface if has_cue else other


def generate_image(cfg: PhotoDefectGeneratorConfig, split: str, index: int,
                   defect_free: bool = False) -> Tuple[np.ndarray, np.ndarray, Dict]:
    """One sample: ``(image (H, W, 3) uint8 BGR, mask (H, W) uint8 {0,1}, info)``,
    info with ``id``, ``label``, ``cue``, ``kinds`` and ``surface``.

    ``defect_free=True`` returns its twin without the defects painted in (same
    surface, view and cue); mask and info still describe the defects left
    out, so ``image != twin`` (any channel) is exactly ``mask``.
    """
    rngs = image_rngs(cfg.seed, split, index)
    h, w = cfg.height, cfg.width
    mask = np.zeros((h, w), np.uint8)
    defects: List[Defect] = []
    # Under the stamp cue no image has defects in its corner, stamped or not,
    # so that the twin without the stamp holds the same defects.
    keep_out = cfg.stamp_size + 3 if cfg.shortcut == 'stamp' else -1
    if rngs['label'].random() < cfg.defect_ratio:
        rng = rngs['defects']
        for _ in range(int(rng.integers(1, cfg.max_defects + 1))):
            defect = draw_defect(rng, str(rng.choice(list(cfg.defect_kinds))), h, w)
            defect.mask[:keep_out + 1, :keep_out + 1] = 0
            # Defects do not overlap: a pixel changed twice could cancel out.
            defect.mask[mask > 0] = 0
            if defect.mask.any():
                mask |= defect.mask
                defects.append(defect)
    is_defect = bool(mask.any())
    if split == 'train':
        cue_p = cfg.cue_prob if is_defect else cfg.cue_prob_normal
    else:
        cue_p = cfg.test_cue_prob
    has_cue = bool(rngs['cue'].random() < cue_p)
    surface = _pick_surface(cfg, rngs, has_cue)
    img = render_surface(rngs['surface'], surface, h, w)
    if not defect_free:
        for defect in defects:
            on = defect.mask > 0
            img[on] = img[on] * defect.factor[on, None] + defect.offset[on, None]
    out = np.round(img).astype(np.int16)  # in range by construction, see bounds
    if has_cue and cfg.shortcut == 'stamp':
        size = cfg.stamp_size
        out[1:1 + size, 1:1 + size] = 20
        out[2:size, 2:size] = 245
    elif has_cue and cfg.shortcut == 'global':
        out[..., 2] += cfg.cast
        out[..., 0] -= cfg.cast
    info = dict(id=f'{index:05d}', label=int(is_defect), cue=has_cue,
                kinds=[d.kind for d in defects], surface=surface)
    return out.astype(np.uint8), mask, info


def generate_defect_dataset(cfg: PhotoDefectGeneratorConfig, out_dir: str,
                            progress: bool = True) -> Dict:
    """Write the train and test splits and ``generation_info.json`` (the
    shared writer with this family's images); return the per-split summary."""
    return write_defect_dataset(cfg, out_dir, generate_image, progress)
