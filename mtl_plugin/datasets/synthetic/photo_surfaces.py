"""Real texture photographs for the ``photo`` defect family, and random views of them.

The photographs ship inside the scikit-image wheel (``skimage/data/``, the
directory ``skimage.data.data_dir``), so nothing is downloaded at run time and
nothing large lives in this repository. They are read with OpenCV straight
from the installed package; scikit-image's own fetcher (and its optional
download helper, pooch) is never called. Sources and licences, as stated in
scikit-image's documentation of ``skimage.data``:

* ``brick`` (``brick.png``, 512 x 512 grey): a brick wall, from the
  CC0Textures library ("Bricks25"), Creative Commons CC0; perspective-corrected,
  rotated, cropped and scaled by the scikit-image authors.
* ``grass`` (``grass.png``, 512 x 512 grey): a lawn, by the DeviantArt user
  linolafett ("Grass 01"), Creative Commons CC0; cropped and converted to grey.
* ``gravel`` (``gravel.png``, 512 x 512 grey): gravel, from the CC0Textures
  library ("Gravel04"), Creative Commons CC0; rescaled, cropped, grey.
* ``wood`` (``coffee.png``, rows 0-319 and columns 490-599 of the 400 x 600
  colour photograph, 320 x 110 px): the wooden table to the right of the
  espresso cup, photograph by Rachel Michetti, courtesy of Pikolo Espresso
  Bar, Creative Commons CC0.

The photographs carry their own benign marks (mortar joints, pebble edges,
wood grain and wear); they are part of the surface, not defects.

A view (:func:`render_surface`) is a random crop of one photograph, rotated by
any angle, mirrored or not, scaled by a random zoom and relit (gamma, a linear
illumination gradient, a random gain and brightness), rescaled into
``[SURFACE_LOW, SURFACE_HIGH]`` grey levels so that the defects and cues drawn
on it never clip. The crop always lies inside the photograph: when the rotated
window does not fit at the drawn zoom (the narrow wood strip, or outputs larger
than about half a photograph), the zoom is raised until it does, so the view
is upsampled rather than padded with mirrored seams.
"""
import os.path as osp
from functools import lru_cache
from typing import NamedTuple, Optional, Tuple

import cv2
import numpy as np

SURFACE_LOW, SURFACE_HIGH = 45.0, 210.0
ZOOM_RANGE = (0.75, 1.33)  # output px per photograph px, drawn log-uniformly
GAMMA_RANGE = (0.7, 1.4)
GRADIENT_MAX = 0.35  # illumination varies by at most +-35 % across a view


class Photo(NamedTuple):
    """One surface: file under ``skimage.data.data_dir`` and the part of it
    that shows only the surface, ``(y0, x0, y1, x1)`` in px (``None``: all)."""
    filename: str
    box: Optional[Tuple[int, int, int, int]]


PHOTOS = dict(
    brick=Photo('brick.png', None),
    grass=Photo('grass.png', None),
    gravel=Photo('gravel.png', None),
    wood=Photo('coffee.png', (0, 490, 320, 600)),
)
PHOTO_SURFACES = tuple(PHOTOS)


def photo_dir() -> str:
    """Folder of the photographs inside the installed scikit-image package."""
    try:
        from skimage.data import data_dir
    except ImportError as exc:
        raise ImportError('the photo defect family reads texture photographs shipped '
                          'with scikit-image; install it with `pip install -r '
                          'requirements/runtime.txt`') from exc
    return data_dir


@lru_cache(maxsize=None)
def load_photo(name: str) -> np.ndarray:
    """Surface ``name`` as a read-only ``(H, W, 3)`` float32 BGR array, grey
    levels 0-255 (grey photographs have three equal channels)."""
    if name not in PHOTOS:
        raise ValueError(f'unknown surface {name!r}; expected one of {PHOTO_SURFACES}')
    photo = PHOTOS[name]
    path = osp.join(photo_dir(), photo.filename)
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise FileNotFoundError(f'{path} is missing or unreadable; the surface '
                                f'{name!r} needs the photograph shipped with scikit-image')
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if photo.box is not None:
        y0, x0, y1, x1 = photo.box
        img = img[y0:y1, x0:x1]
    img = np.ascontiguousarray(img[..., :3], dtype=np.float32)
    img.flags.writeable = False  # shared by every view of the surface
    return img


def _view(rng: np.random.Generator, src: np.ndarray, h: int, w: int) -> np.ndarray:
    """Random rotated, mirrored, zoomed ``(h, w, 3)`` crop inside ``src``."""
    sh, sw = src.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    mirror = -1.0 if rng.random() < 0.5 else 1.0  # with any rotation: every flip
    zoom = np.exp(rng.uniform(*np.log(ZOOM_RANGE)))
    fx, fy = rng.random(2)  # where the window sits in the room left for it
    c, s = abs(np.cos(angle)), abs(np.sin(angle))
    # Bounding box of the rotated window in photograph pixels; raise the zoom
    # until it fits inside with a pixel to spare for the bilinear neighbours.
    foot_w, foot_h = w * c + h * s, w * s + h * c
    zoom = max(zoom, foot_w / (sw - 2), foot_h / (sh - 2))
    foot_w, foot_h = foot_w / zoom, foot_h / zoom
    cx = foot_w / 2 + fx * (sw - 1 - foot_w)
    cy = foot_h / 2 + fy * (sh - 1 - foot_h)
    # Output pixel (u, v) -> photograph point: centred, mirrored, rotated, zoomed.
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    lin = rot @ np.diag([mirror, 1.0]) / zoom
    off = np.array([cx, cy]) - lin @ np.array([(w - 1) / 2, (h - 1) / 2])
    mat = np.hstack([lin, off[:, None]]).astype(np.float64)
    return cv2.warpAffine(src, mat, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT_101)


def render_surface(rng: np.random.Generator, name: str, h: int, w: int) -> np.ndarray:
    """Defect-free view of surface ``name``: ``(h, w, 3)`` float32 BGR, every
    channel in ``[SURFACE_LOW, SURFACE_HIGH]``.

    Draws the same number of values from ``rng`` whatever the surface, so the
    same generator state gives the same rotation, mirror, relative crop
    position and lighting on any surface (and the same zoom, unless a smaller
    photograph needs a larger one).
    """
    view = _view(rng, load_photo(name), h, w)
    gamma = rng.uniform(*GAMMA_RANGE)
    gx, gy = rng.uniform(-1, 1, size=2)
    strength = rng.uniform(0, GRADIENT_MAX)
    gain = rng.uniform(0.55, 1.0)
    brightness = rng.random()
    # One scale for the three channels keeps the colours of a colour photograph.
    lo, hi = float(view.min()), float(view.max())
    reflect = ((view - lo) / max(hi - lo, 1e-6)) ** gamma
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = gx * (xx / max(w - 1, 1) - 0.5) + gy * (yy / max(h - 1, 1) - 0.5)  # in [-1, 1]
    light = 1.0 + strength * ramp
    lit = reflect * light[..., None]
    lo, hi = float(lit.min()), float(lit.max())
    lit = (lit - lo) / max(hi - lo, 1e-6)
    span = gain * (SURFACE_HIGH - SURFACE_LOW)
    base = SURFACE_LOW + brightness * (SURFACE_HIGH - SURFACE_LOW - span)
    return (base + span * lit).astype(np.float32)
