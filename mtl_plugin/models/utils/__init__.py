from .map_normalization import masks_to_float, minmax_normalize
from .mask_morphology import dilate_masks, mask_ring
from .pixel_balance import fg_bg_balanced_mean

__all__ = ['minmax_normalize', 'masks_to_float', 'fg_bg_balanced_mean',
           'dilate_masks', 'mask_ring']
