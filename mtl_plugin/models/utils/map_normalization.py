"""Per-image normalisation of spatial maps (CAM, attention, localization)."""
import torch
from torch import Tensor


def minmax_normalize(maps: Tensor, eps: float = 1e-6) -> Tensor:
    """Min-max normalise each map of a batch to [0, 1].

    Differentiable (gradients flow to ``maps``), so a loss on the normalised
    map trains whatever produced it. A constant map becomes all zeros (``eps``
    keeps the division finite).

    Args:
        maps: ``(N, ...)`` maps, e.g. ``(N, 1, H, W)``; each of the ``N``
            entries is normalised on its own.
        eps: added to the range ``max - min`` before dividing.

    Returns:
        Tensor of the same shape with values in [0, 1].
    """
    flat = maps.flatten(1)
    low = flat.min(dim=1, keepdim=True).values
    high = flat.max(dim=1, keepdim=True).values
    return ((flat - low) / (high - low + eps)).view_as(maps)


def masks_to_float(masks: Tensor) -> Tensor:
    """Binary GT masks ``(N, H, W)`` or ``(N, 1, H, W)`` (long/bool) as
    ``(N, 1, H, W)`` float in {0, 1} (any value > 0 is foreground)."""
    if masks.dim() == 3:
        masks = masks[:, None]
    return (masks > 0).to(torch.float32)
