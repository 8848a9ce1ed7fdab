"""Foreground/background-balanced mean of a per-pixel loss."""
from torch import Tensor


def fg_bg_balanced_mean(per_pixel: Tensor, mask: Tensor) -> Tensor:
    """Per-image mean of ``per_pixel`` with foreground and background weighted
    equally.

    Defects cover a few percent of an image (the synthetic set: 3 %), so a plain
    pixel mean is dominated by the background and a map that is low everywhere
    already scores well: the guidance losses then mostly push the map down
    instead of onto the defect. Here each image's loss is
    ``0.5 * mean_fg + 0.5 * mean_bg``; an image without foreground (a normal
    image) gets ``mean_bg``, an all-foreground image ``mean_fg``.

    Args:
        per_pixel: ``(N, 1, H, W)`` (or any ``(N, ...)``) loss per pixel.
        mask: same shape, float in {0, 1}.

    Returns:
        ``(N,)`` per-image losses.
    """
    loss = per_pixel.flatten(1)
    fg = mask.flatten(1).to(loss)
    bg = 1.0 - fg
    n_fg, n_bg = fg.sum(dim=1), bg.sum(dim=1)
    mean_fg = (loss * fg).sum(dim=1) / n_fg.clamp(min=1.0)
    mean_bg = (loss * bg).sum(dim=1) / n_bg.clamp(min=1.0)
    both = (n_fg > 0) & (n_bg > 0)
    return ((0.5 * (mean_fg + mean_bg)) * both +
            mean_fg * (n_bg == 0) + mean_bg * (n_fg == 0) * (n_bg > 0))
