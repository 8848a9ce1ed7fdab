"""GAIN attention guidance loss L_e (S3+)."""
import torch.nn as nn
from torch import Tensor

from mtl_plugin.models.utils import fg_bg_balanced_mean
from mtl_plugin.registry import MODELS


@MODELS.register_module()
class AttentionGuidanceLoss(nn.Module):
    """Squared error between the attention probability and the pixel label.

    GAIN's L_e (Li et al., CVPR 2018): ``mean((sigmoid(A) - M)^2)`` over every
    pixel of every image, with ``A`` the attention logits and ``M`` the GT mask
    (all zeros for normal images, so their attention is pushed to 0). The
    sigmoid and the square are computed in float32, which autocast allows.

    With small defects the plain mean is won by an attention that is 0
    everywhere (a 3 % defect area costs only 0.03); ``balanced=True`` averages
    each image as ``0.5 * mean over defect pixels + 0.5 * mean over the other
    pixels`` (:func:`fg_bg_balanced_mean`) and then over images, which the
    configs use.

    Args:
        balanced: foreground/background-balanced mean instead of the plain
            pixel mean.
    """

    def __init__(self, balanced: bool = False) -> None:
        super().__init__()
        self.balanced = bool(balanced)

    def forward(self, attention_logits: Tensor, mask: Tensor) -> Tensor:
        """
        Args:
            attention_logits: ``(N, 1, H, W)`` raw attention at mask resolution.
            mask: ``(N, 1, H, W)`` float GT mask in {0, 1}.

        Returns:
            Scalar mean squared error in [0, 1].
        """
        if attention_logits.shape != mask.shape:
            raise ValueError('AttentionGuidanceLoss: attention shape '
                             f'{tuple(attention_logits.shape)} != mask shape '
                             f'{tuple(mask.shape)}')
        prob = attention_logits.float().sigmoid()
        per_pixel = (prob - mask.float())**2
        if self.balanced:
            return fg_bg_balanced_mean(per_pixel, mask).mean()
        return per_pixel.mean()
