"""Morphology of binary masks as tensor ops (dilation, the ring around a mask)."""
import torch.nn.functional as F
from torch import Tensor


def dilate_masks(masks: Tensor, radius: int) -> Tensor:
    """Dilate float masks with a ``(2 * radius + 1)`` square (a max-pool).

    Args:
        masks: ``(N, 1, H, W)`` float masks in [0, 1].
        radius: dilation radius in pixels (0 returns ``masks`` unchanged).

    Returns:
        ``(N, 1, H, W)`` dilated masks (nothing wraps around the border).
    """
    if radius < 0:
        raise ValueError(f'dilate_masks: radius must be >= 0, got {radius}')
    if radius == 0:
        return masks
    return F.max_pool2d(masks, 2 * radius + 1, stride=1, padding=radius)


def mask_ring(masks: Tensor, width: int) -> Tensor:
    """Pixels within ``width`` px of a mask but outside it: the mask dilated
    by ``width`` minus the mask. ``(N, 1, H, W)`` float in {0, 1}."""
    if width < 1:
        raise ValueError(f'mask_ring: width must be >= 1, got {width}')
    return (dilate_masks(masks, width) - masks).clamp(min=0.0)
