"""Reading and binarising defect masks, shared by :class:`DefectDataset` and
:class:`LoadDefectMask` so that the label decided when the data list is built
and the mask the model trains on come from the same rule.

Binarisation rule (``threshold``):

* ``None`` (strict, the default): the mask must be a clean binary mask, its
  values a subset of ``{0, 1}`` or of ``{0, 255}`` (KolektorSDD2, MVTec AD and
  GAIN-MTL masks are such PNGs). Anything else (e.g. a JPEG-compressed mask,
  a colour mask with several classes) raises :class:`DefectDataError`, because
  guessing a threshold could silently turn faint pixels into a wrong label.
* a number ``t``: foreground is ``value > t``, any value is accepted (use it
  for masks known to be anti-aliased or lossy).
"""
import os.path as osp
from typing import Optional, Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError


class DefectDataError(ValueError):
    """Bad image or mask file; the message starts with the file's path."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f'{path}: {problem}')
        self.path = path
        self.problem = problem


def read_image_size(path: str) -> Tuple[int, int]:
    """Return ``(height, width)`` of an image file, checking it is readable.

    PIL's ``verify()`` walks the file's chunks (for PNG it checks the CRCs)
    without decoding the pixels, so truncated or corrupt files are caught at a
    fraction of a full decode's cost.

    Raises:
        DefectDataError: the file is missing or not a readable image.
    """
    if not osp.isfile(path):
        raise DefectDataError(path, 'image file does not exist')
    try:
        with Image.open(path) as img:
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DefectDataError(path, f'unreadable image ({exc})') from exc
    return height, width


def read_binary_mask(path: str, threshold: Optional[float] = None) -> np.ndarray:
    """Read a mask file and return it as a ``(H, W)`` uint8 array in ``{0, 1}``.

    Args:
        path: mask image (grayscale, or colour with three equal channels).
        threshold: binarisation rule, see the module docstring.

    Raises:
        DefectDataError: unreadable file, colour mask with unequal channels,
            or (strict rule) values outside ``{0, 1}`` / ``{0, 255}``.
    """
    if not osp.isfile(path):
        raise DefectDataError(path, 'mask file does not exist')
    try:
        with Image.open(path) as img:
            mask = np.asarray(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DefectDataError(path, f'unreadable mask ({exc})') from exc
    if mask.ndim == 3:
        channels = mask[..., :3]
        if not (np.array_equal(channels[..., 0], channels[..., 1])
                and np.array_equal(channels[..., 0], channels[..., 2])):
            raise DefectDataError(
                path, 'colour mask with different channels; expected a '
                'grayscale binary mask')
        mask = channels[..., 0]
    if mask.ndim != 2:
        raise DefectDataError(path, f'mask has shape {mask.shape}; expected (H, W)')
    if mask.dtype == bool:
        return mask.astype(np.uint8)
    if threshold is not None:
        return (mask > threshold).astype(np.uint8)
    values = np.unique(mask)
    if np.all(np.isin(values, (0, 1))) or np.all(np.isin(values, (0, 255))):
        return (mask > 0).astype(np.uint8)
    shown = ', '.join(str(v) for v in values[:8]) + (' ...' if len(values) > 8 else '')
    raise DefectDataError(
        path, f'mask values [{shown}] are not binary; expected values in '
        '{0, 1} or {0, 255} (set mask_threshold to binarise other masks)')
