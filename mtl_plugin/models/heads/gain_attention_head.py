"""GAIN attention head: attention map, soft mask and attention-mining erase."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mtl_plugin.registry import MODELS
from mtl_plugin.utils.map_normalization import minmax_normalize


@MODELS.register_module()
class GAINAttentionHead(BaseModule):
    """Attention map ``A`` from the classifier's features (GAIN, Li et al. 2018).

    ``A`` is predicted by a 3x3 conv-BN-ReLU and a 1x1 conv from the features
    the classifier pools, so it lives on the same grid as the CAM. GAIN builds
    ``A`` from Grad-CAM; a learned map keeps inference to one forward pass and
    is supervised directly by the guidance loss L_e.

    Soft mask (:meth:`soft_mask`): ``T(A) = sigmoid(omega * (A' - sigma))`` with
    ``A'`` the per-image min-max normalised map, so ``sigma`` is a fraction of
    each image's attention range (public ports use sigma 0.5, omega 10).
    Attention mining (:meth:`erase`): ``I* = I - T(A) * I``; the classifier's
    defect score on ``I*`` is L_am.

    Args:
        in_channels: channels of the feature map.
        mid_channels: channels of the hidden conv.
        sigma: threshold of the soft mask, in [0, 1] of the normalised map.
        omega: steepness of the soft mask.
        norm_cfg: norm layer of the hidden conv.
        init_cfg: initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 mid_channels: int = 128,
                 sigma: float = 0.5,
                 omega: float = 10.0,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if not 0.0 <= sigma <= 1.0:
            raise ValueError(f'GAINAttentionHead: sigma must be in [0, 1] (it '
                             f'thresholds a min-max normalised map), got {sigma}')
        if omega <= 0:
            raise ValueError(f'GAINAttentionHead: omega must be > 0, got {omega}')
        self.sigma = float(sigma)
        self.omega = float(omega)
        self.conv = ConvModule(in_channels, mid_channels, 3, padding=1,
                               norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        self.out = nn.Conv2d(mid_channels, 1, 1)

    def forward(self, feat: Tensor) -> Tensor:
        """``(N, C, h, w)`` features -> ``(N, 1, h, w)`` attention logits."""
        return self.out(self.conv(feat))

    def soft_mask(self, attention: Tensor) -> Tensor:
        """``T(A)`` of ``(N, 1, H, W)`` attention (any scale) -> ``(N, 1, H, W)``
        in (0, 1)."""
        return torch.sigmoid(self.omega *
                             (minmax_normalize(attention) - self.sigma))

    @staticmethod
    def erase(images: Tensor, soft_mask: Tensor) -> Tensor:
        """``I* = I - T(A) * I`` for ``(N, 3, H, W)`` normalised images and an
        ``(N, 1, H, W)`` soft mask (erased pixels become the mean colour, 0 after
        mean/std normalisation)."""
        return images - soft_mask.to(images.dtype) * images
