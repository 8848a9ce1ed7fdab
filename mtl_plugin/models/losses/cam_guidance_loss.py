"""CAM guidance loss (S2+): the defect-class CAM supervised by the GT mask."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mtl_plugin.models.utils import fg_bg_balanced_mean
from mtl_plugin.registry import MODELS


@MODELS.register_module()
class CAMGuidanceLoss(nn.Module):
    """Pixel-wise binary cross-entropy between a raw CAM and the GT defect mask.

    The weight-based CAM of the defect class is a map of per-pixel logits (its
    spatial mean plus the classifier bias is the image logit), so it is used
    directly as the logit of "this pixel is defect" with
    ``binary_cross_entropy_with_logits``: numerically stable and allowed under
    autocast (plain BCE on probabilities raises there). Normal images (all-zero
    masks) push the defect CAM down everywhere, defect images push it up inside
    the mask and down outside.

    Args:
        pos_weight: weight of foreground pixels (defects cover a few percent
            of the image; > 1 counteracts that imbalance).
        balanced: average each image's loss as ``0.5 * mean over defect
            pixels + 0.5 * mean over the other pixels``
            (:func:`fg_bg_balanced_mean`) instead of over all pixels, so the
            few defect pixels weigh as much as the background whatever the
            defect size (the configs use this).
    """

    def __init__(self, pos_weight: float = 1.0,
                 balanced: bool = False) -> None:
        super().__init__()
        if pos_weight <= 0:
            raise ValueError(f'CAMGuidanceLoss: pos_weight must be > 0, got '
                             f'{pos_weight}')
        self.pos_weight = float(pos_weight)
        self.balanced = bool(balanced)

    def forward(self, cam: Tensor, mask: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """Mean loss over pixels (and images).

        Args:
            cam: ``(N, 1, H, W)`` raw CAM logits at mask resolution.
            mask: ``(N, 1, H, W)`` float GT mask in {0, 1}.
            weight: optional ``(N,)`` per-image weights; the loss is the
                weighted mean over images (0 when all weights are 0).

        Returns:
            Scalar tensor.
        """
        if cam.shape != mask.shape:
            raise ValueError(f'CAMGuidanceLoss: cam shape {tuple(cam.shape)} '
                             f'!= mask shape {tuple(mask.shape)}')
        pos_weight = cam.new_tensor(self.pos_weight)
        per_pixel = F.binary_cross_entropy_with_logits(
            cam.float(), mask.float(), pos_weight=pos_weight, reduction='none')
        per_image = (fg_bg_balanced_mean(per_pixel, mask) if self.balanced
                     else per_pixel.flatten(1).mean(dim=1))
        if weight is None:
            return per_image.mean()
        weight = weight.to(per_image)
        return (per_image * weight).sum() / weight.sum().clamp(min=1.0)
