"""Counterfactual composites of the shortcut audit, on network-input pixels.

Images are ``(H, W, C)`` uint8 arrays as the test pipeline leaves them
before packing (after its resize); masks are ``(H, W)`` bool at the same
size. The *defect region* ``R`` is the defect mask dilated by ``dilate`` px
with a square, as :func:`mtl_plugin.models.utils.dilate_masks` (the
training-time composites use the same dilation), so the defect's border and
halo go with it.

Every function changes pixels inside ``R`` only; everything outside ``R`` is
bit-identical to the image that receives the region:

* :func:`paste_region`: ``R`` of ``src`` put into ``dst`` (``'hard'``,
  ``'alpha'``, ``'poisson'``). Sufficiency, its control and the context swap
  are pastes; necessity with ``fill='normal'`` is a paste of a normal image's
  ``R`` into the defect image.
* :func:`remove_defect`: ``R`` of a defect image replaced by defect-free
  content (a normal image's, ``cv2.inpaint``, or a blur of the pixels
  outside ``R``).
"""
from typing import Optional

import cv2
import numpy as np
import torch

from mtl_plugin.models.utils.mask_morphology import dilate_masks

from .settings import BLENDS, FILLS

#: ``cv2.seamlessClone`` erodes its mask 3 times with a 3x3 square before
#: taking the pasted image's gradients from it: we grow the mask by as much.
_POISSON_ERODE = 3
#: Margin added around the images for ``cv2.seamlessClone``, which zeroes the
#: mask's outermost pixels and refuses a region that leaves the image.
_POISSON_PAD = _POISSON_ERODE + 2


def defect_region(mask: np.ndarray, dilate: int) -> np.ndarray:
    """The defect region ``R``: ``mask`` ``(H, W)`` dilated by ``dilate`` px
    with a ``(2 * dilate + 1)`` square; ``(H, W)`` bool."""
    mask_t = torch.from_numpy(np.asarray(mask, dtype=np.float32))[None, None]
    return dilate_masks(mask_t, int(dilate))[0, 0].numpy() > 0


def blend_weights(mask: np.ndarray, dilate: int, blend: str) -> np.ndarray:
    """Weight of the pasted image per pixel, ``(H, W)`` float32 in [0, 1].

    ``'hard'``: 1 on ``R``, 0 elsewhere. ``'alpha'``: 1 on the mask and
    ``1 - d / (dilate + 1)`` at chessboard distance ``d`` from it, so the
    weight falls linearly across the dilation ring and is 0 outside ``R``
    (with ``dilate=0`` it equals ``'hard'``).
    """
    mask = np.asarray(mask, dtype=bool)
    if blend == 'hard':
        return defect_region(mask, dilate).astype(np.float32)
    if blend != 'alpha':
        raise ValueError(f'blend_weights: blend={blend!r}; expected "hard" or '
                         '"alpha" ("poisson" has no weights)')
    if not mask.any():
        return np.zeros(mask.shape, np.float32)
    # distanceTransform measures the distance to the nearest zero pixel.
    dist = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_C, 3)
    return np.clip(1.0 - dist / (dilate + 1.0), 0.0, 1.0).astype(np.float32)


def _check_pair(src: np.ndarray, dst: np.ndarray, mask: np.ndarray) -> None:
    if src.shape != dst.shape or src.dtype != np.uint8 or dst.dtype != np.uint8:
        raise ValueError(f'composites: images must be uint8 of one shape, got '
                         f'{src.dtype} {src.shape} and {dst.dtype} {dst.shape}')
    if src.ndim != 3:
        raise ValueError(f'composites: images must be (H, W, C), got {src.shape}')
    if mask.shape != src.shape[:2]:
        raise ValueError(f'composites: mask {mask.shape} does not match the image '
                         f'{src.shape[:2]}; resize image and mask together')


def _poisson(src: np.ndarray, dst: np.ndarray, region: np.ndarray) -> np.ndarray:
    """``cv2.seamlessClone`` of ``src`` over ``region`` into ``dst`` at the
    same place (``NORMAL_CLONE``: ``src``'s gradients inside the region,
    ``dst``'s outside, ``dst``'s values on the border of the region's
    bounding box), then ``dst`` restored outside ``region``: the solver
    also nudges the pixels of the box around the region (by a grey level or
    two on a flat surface)."""
    if src.shape[2] != 3:
        raise ValueError(f'blend="poisson" (cv2.seamlessClone) needs 3-channel '
                         f'images, got {src.shape[2]} channel(s)')
    pad = _POISSON_PAD
    src_p = cv2.copyMakeBorder(src, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    dst_p = cv2.copyMakeBorder(dst, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    grown = defect_region(region, _POISSON_ERODE)
    region_p = np.pad(grown, pad).astype(np.uint8) * 255
    ys, xs = np.nonzero(region_p)
    x0, y0 = int(xs.min()), int(ys.min())
    width, height = int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1
    # OpenCV places the region's bounding box at center - size // 2: this
    # center puts it back where it was.
    center = (x0 + width // 2, y0 + height // 2)
    cloned = cv2.seamlessClone(src_p, dst_p, region_p, center, cv2.NORMAL_CLONE)
    cloned = cloned[pad:-pad, pad:-pad]
    return np.where(region[..., None], cloned, dst)


def paste_region(src: np.ndarray, dst: np.ndarray, mask: np.ndarray,
                 dilate: int, blend: str) -> np.ndarray:
    """Put the defect region of ``src`` into ``dst`` at the same place.

    Args:
        src: ``(H, W, C)`` uint8 image whose region is taken.
        dst: ``(H, W, C)`` uint8 image that receives it.
        mask: ``(H, W)`` bool defect mask; the region is ``R =
            defect_region(mask, dilate)``.
        dilate: dilation radius in px.
        blend: ``'hard'``, ``'alpha'`` or ``'poisson'`` (see
            :class:`~mtl_plugin.evaluation.shortcut_audit.AuditSettings`).

    Returns:
        ``(H, W, C)`` uint8: ``dst`` outside ``R``; inside, ``src``
        (``'hard'``), the weighted mix ``w * src + (1 - w) * dst``
        (``'alpha'``, :func:`blend_weights`) or the Poisson blend.
    """
    mask = np.asarray(mask, dtype=bool)
    _check_pair(src, dst, mask)
    if blend not in BLENDS:
        raise ValueError(f'paste_region: blend={blend!r}; expected one of {BLENDS}')
    region = defect_region(mask, dilate)
    if not region.any():
        return dst.copy()
    if blend == 'poisson':
        return _poisson(src, dst, region)
    weight = blend_weights(mask, dilate, blend)[..., None]
    mixed = weight * src.astype(np.float32) + (1.0 - weight) * dst.astype(np.float32)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def blur_fill(image: np.ndarray, region: np.ndarray, size: int) -> np.ndarray:
    """``image`` with ``region`` replaced by the mean of the pixels *outside*
    it within a ``size`` x ``size`` window (a normalised convolution, so the
    fill never reads the defect); where a window holds no such pixel, the
    per-channel mean of all pixels outside the region. ``(H, W, C)`` uint8."""
    keep = (~region).astype(np.float32)
    if not keep.any():
        raise ValueError('blur_fill: the defect region covers the whole image; '
                         'nothing defect-free is left to fill it from')
    pixels = image.astype(np.float32)
    num = cv2.blur(pixels * keep[..., None], (size, size))
    den = cv2.blur(keep, (size, size))
    if num.ndim == 2:  # cv2 drops the channel axis of one-channel images
        num = num[..., None]
    fallback = pixels[~region].mean(axis=0)
    fill = np.where(den[..., None] > 1e-6,
                    num / np.maximum(den[..., None], 1e-6), fallback)
    out = np.where(region[..., None], np.rint(fill), pixels)
    return np.clip(out, 0, 255).astype(np.uint8)


def remove_defect(image: np.ndarray, mask: np.ndarray, dilate: int, fill: str,
                  donor: Optional[np.ndarray] = None, blend: str = 'hard',
                  inpaint_radius: int = 3, blur_size: int = 15) -> np.ndarray:
    """Replace the defect region of ``image`` by defect-free content.

    Args:
        image: ``(H, W, C)`` uint8 defect image.
        mask: ``(H, W)`` bool defect mask.
        dilate: dilation radius in px (region ``R``).
        fill: ``'normal'`` (``R`` of ``donor``, put in with ``blend``),
            ``'inpaint'`` (``cv2.inpaint``, Telea, ``inpaint_radius``) or
            ``'blur'`` (:func:`blur_fill` with ``blur_size``).
        donor: ``(H, W, C)`` uint8 normal image, for ``fill='normal'``.
        blend: blending of ``fill='normal'``.
        inpaint_radius: radius in px of ``cv2.inpaint``.
        blur_size: window side in px of ``'blur'``.

    Returns:
        ``(H, W, C)`` uint8, equal to ``image`` outside ``R``.
    """
    mask = np.asarray(mask, dtype=bool)
    if fill not in FILLS:
        raise ValueError(f'remove_defect: fill={fill!r}; expected one of {FILLS}')
    if fill == 'normal':
        if donor is None:
            raise ValueError('remove_defect: fill="normal" needs a donor image')
        return paste_region(donor, image, mask, dilate, blend)
    _check_pair(image, image, mask)
    region = defect_region(mask, dilate)
    if not region.any():
        return image.copy()
    if fill == 'blur':
        return blur_fill(image, region, blur_size)
    inpainted = cv2.inpaint(image, region.astype(np.uint8), inpaint_radius,
                            cv2.INPAINT_TELEA)
    if inpainted.ndim == 2:
        inpainted = inpainted[..., None]
    return np.where(region[..., None], inpainted, image)
