"""GT defect masks as float maps for the pixel-level losses."""
import torch
from torch import Tensor


def masks_to_float(masks: Tensor) -> Tensor:
    """Binary GT masks ``(N, H, W)`` or ``(N, 1, H, W)`` (long/bool) as
    ``(N, 1, H, W)`` float in {0, 1} (any value > 0 is foreground)."""
    if masks.dim() == 3:
        masks = masks[:, None]
    return (masks > 0).to(torch.float32)
