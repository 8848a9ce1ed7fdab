"""Side-by-side panels of one GAIN-MTL prediction:
image | CAM overlay | attention overlay | localization | GT mask.

Panels whose map is missing are left out. Each panel is the network-input size
with a title strip above it.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from mtl_plugin.utils.map_normalization import minmax_normalize

TITLE_HEIGHT = 18


def _to_numpy(x) -> Optional[np.ndarray]:
    if x is None:
        return None
    if hasattr(x, 'detach'):
        x = x.detach().float().cpu().numpy()
    x = np.asarray(x, dtype=np.float32)
    return x[0] if x.ndim == 3 else x


def heat_overlay(img: np.ndarray, heat: np.ndarray, normalize: bool = True,
                 alpha: float = 0.5) -> np.ndarray:
    """Blend a JET colour map of ``heat`` (H', W') over RGB ``img`` (H, W, 3).

    ``normalize``: min-max the map per image (CAM, attention); otherwise it is
    read as a probability in [0, 1] (localization).
    """
    h, w = img.shape[:2]
    heat = cv2.resize(heat.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if normalize:
        heat = minmax_normalize(torch.from_numpy(heat)[None], eps=0.0)[0].numpy()
    heat8 = np.clip(heat * 255.0, 0, 255).astype(np.uint8)
    colour = cv2.cvtColor(cv2.applyColorMap(heat8, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
    return (alpha * colour + (1 - alpha) * img).astype(np.uint8)


def mask_overlay(img: np.ndarray, mask: np.ndarray,
                 colour: Tuple[int, int, int] = (255, 0, 0)) -> np.ndarray:
    """RGB ``img`` with ``mask`` (H, W) tinted and outlined in ``colour``."""
    mask = cv2.resize(mask.astype(np.uint8), (img.shape[1], img.shape[0]),
                      interpolation=cv2.INTER_NEAREST) > 0
    out = img.copy()
    out[mask] = (0.5 * out[mask] + 0.5 * np.array(colour)).astype(np.uint8)
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(out, contours, -1, colour, 1)
    return out


def _titled(panel: np.ndarray, title: str) -> np.ndarray:
    strip = np.full((TITLE_HEIGHT, panel.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, title, (2, TITLE_HEIGHT - 5), cv2.FONT_HERSHEY_SIMPLEX,
                0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([strip, panel], axis=0)


def draw_gain_panels(img: np.ndarray,
                     cam=None,
                     attention=None,
                     loc=None,
                     gt_mask=None,
                     caption: str = '') -> np.ndarray:
    """Compose the panels of one sample.

    Args:
        img: ``(H, W, 3)`` uint8 RGB image (network input size).
        cam / attention: ``(H, W)`` or ``(1, H, W)`` maps (any range; min-max
            normalised for display), or None.
        loc: ``(H, W)`` probabilities of the localization head, or None.
        gt_mask: ``(H, W)`` binary GT mask, or None.
        caption: text of the image panel's title (e.g. label and score).

    Returns:
        ``(H + TITLE_HEIGHT, k * W + (k - 1) * 2, 3)`` uint8 RGB, k the number of
        panels (2-px white gaps).
    """
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'draw_gain_panels: img has shape {img.shape}; expected (H, W, 3)')
    panels = [_titled(img, caption or 'image')]
    for name, data, normalize in (('CAM', cam, True), ('attention', attention, True),
                                  ('localization', loc, False)):
        data = _to_numpy(data)
        if data is not None:
            panels.append(_titled(heat_overlay(img, data, normalize), name))
    mask = _to_numpy(gt_mask)
    if mask is not None:
        panels.append(_titled(mask_overlay(img, mask > 0), 'GT mask'))
    gap = np.full((panels[0].shape[0], 2, 3), 255, np.uint8)
    row: Sequence[np.ndarray] = [p for panel in panels for p in (panel, gap)][:-1]
    return np.concatenate(row, axis=1)
