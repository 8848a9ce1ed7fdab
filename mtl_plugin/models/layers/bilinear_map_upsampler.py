"""Bilinear upsampling of low-resolution maps (CAM, attention)."""
from typing import Tuple

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class BilinearMapUpsampler(nn.Module):
    """Parameter-free bilinear upsampling (``align_corners=False``).

    With a stride-32 backbone a 256 px input gives an 8x8 map; upsampling it
    bilinearly blurs every defect over at least 32 px, which bounds the IoU a
    thin defect can reach (see :class:`DeconvMapDecoder` for the learned
    alternative).
    """

    def forward(self, maps: Tensor, size: Tuple[int, int]) -> Tensor:
        """``(N, C, h, w)`` -> ``(N, C, *size)``."""
        return F.interpolate(maps, size=tuple(size), mode='bilinear',
                             align_corners=False)
