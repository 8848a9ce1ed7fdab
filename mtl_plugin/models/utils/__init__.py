from .binary_masks import masks_to_float
from .pixel_balance import fg_bg_balanced_mean

__all__ = ['masks_to_float', 'fg_bg_balanced_mean']
