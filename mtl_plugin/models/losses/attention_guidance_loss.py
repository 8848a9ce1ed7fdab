"""GAIN attention guidance loss L_e (S3+)."""
import torch.nn as nn
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class AttentionGuidanceLoss(nn.Module):
    """Squared error between the attention probability and the pixel label.

    GAIN's L_e (Li et al., CVPR 2018): ``mean((sigmoid(A) - M)^2)`` over every
    pixel of every image, with ``A`` the attention logits and ``M`` the GT mask
    (all zeros for normal images, so their attention is pushed to 0). The
    sigmoid and the square are computed in float32, which autocast allows.
    """

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
        return ((prob - mask.float())**2).mean()
