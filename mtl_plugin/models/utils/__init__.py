from .binary_masks import masks_to_float
from .feature_channels import fill_in_channels, probe_image, probe_levels
from .mask_morphology import dilate_masks, mask_ring
from .pixel_balance import fg_bg_balanced_mean

__all__ = ['masks_to_float', 'fg_bg_balanced_mean', 'dilate_masks', 'mask_ring',
           'fill_in_channels', 'probe_image', 'probe_levels']
