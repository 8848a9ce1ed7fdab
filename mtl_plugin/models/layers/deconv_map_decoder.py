"""Learned deconvolution decoder for low-resolution maps (CAM, attention)."""
from typing import Optional, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class DeconvMapDecoder(BaseModule):
    """Bilinear upsampling plus a learned residual from transposed convolutions.

    A CAM on a 7x7-16x16 grid upsampled bilinearly cannot trace a thin
    defect (its CAM-IoU ceiling is about 0.5,
    ``tools/analysis/cam_resolution_ceiling.py``). This decoder upsamples the
    map with ``num_layers`` stages of ``ConvTranspose2d(k=4, s=2, p=1)`` +
    norm + ReLU (each doubling
    the resolution), projects back to the map's channels with a 1x1 conv, resizes
    to the target size and adds the result to the bilinear upsampling of the
    input. The projection starts at zero, so an untrained decoder equals
    bilinear upsampling and the guidance losses learn the sharpening.

    Args:
        in_channels: channels of the map (1 for a single-class CAM).
        hidden_channels: channels of the transposed convolutions.
        num_layers: number of 2x upsampling stages.
        norm_cfg: norm after each transposed convolution.
        init_cfg: initialisation config.
    """

    def __init__(self,
                 in_channels: int = 1,
                 hidden_channels: int = 16,
                 num_layers: int = 3,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if num_layers < 1:
            raise ValueError(f'DeconvMapDecoder: num_layers must be >= 1, got '
                             f'{num_layers}')
        layers = []
        channels = in_channels
        for _ in range(num_layers):
            layers += [
                nn.ConvTranspose2d(channels, hidden_channels, 4, stride=2,
                                   padding=1, bias=False),
                build_norm_layer(norm_cfg, hidden_channels)[1],
                nn.ReLU(inplace=True)
            ]
            channels = hidden_channels
        self.up = nn.Sequential(*layers)
        self.project = nn.Conv2d(hidden_channels, in_channels, 1)
        nn.init.zeros_(self.project.weight)
        nn.init.zeros_(self.project.bias)

    def init_weights(self) -> None:
        super().init_weights()
        # Keep the zero start (an init_cfg may have touched every Conv2d).
        nn.init.zeros_(self.project.weight)
        nn.init.zeros_(self.project.bias)

    def forward(self, maps: Tensor, size: Tuple[int, int]) -> Tensor:
        """``(N, C, h, w)`` -> ``(N, C, *size)``."""
        size = tuple(size)
        base = F.interpolate(maps, size=size, mode='bilinear',
                             align_corners=False)
        residual = F.interpolate(self.project(self.up(maps)), size=size,
                                 mode='bilinear', align_corners=False)
        return base + residual
