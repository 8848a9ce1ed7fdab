"""Temperature RetinaHead whose finest FPN level gets a lighter tower.

The dense retail detector predicts on P2..P6 (strides 4..64). P2 has four
times the positions of P3 and, with RetinaHead's two towers of
``stacked_convs`` conv3x3 at ``feat_channels``, its head alone costs more
than the whole of mmdet's RetinaNet R50-FPN (P3..P7). Here the finest
``fine_levels`` levels share one narrower tower between classification and
box regression and have their own predictors; the coarser levels keep
RetinaHead's towers and predictors, shared across levels as usual.
"""
from typing import List, Optional, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from torch import Tensor

from mtl_plugin.registry import MODELS

from .temperature_retina_head import TemperatureRetinaHead

_INIT_CFG = dict(
    type='Normal', layer='Conv2d', std=0.01,
    override=[dict(type='Normal', name='retina_cls', std=0.01, bias_prob=0.01),
              dict(type='Normal', name='fine_cls', std=0.01, bias_prob=0.01)])


@MODELS.register_module()
class LightFineLevelRetinaHead(TemperatureRetinaHead):
    """:class:`TemperatureRetinaHead` with a light tower on the finest levels.

    Per location, a coarse level costs ``2 * stacked_convs`` conv3x3 of
    ``feat_channels -> feat_channels``; a fine level costs
    ``fine_stacked_convs`` conv3x3 (``in_channels -> fine_feat_channels``,
    then ``fine_feat_channels -> fine_feat_channels``), one tower for both
    branches, then the class and box predictors (conv3x3 to ``A *
    num_classes`` and ``A * 4`` channels, ``A`` = anchors per location, as in
    RetinaHead). Anchors, losses, assignment, temperature and test-time
    decoding are RetinaHead's / TemperatureRetinaHead's.

    Args:
        fine_levels: how many of the finest input levels use the light tower
            (``0``: plain TemperatureRetinaHead).
        fine_stacked_convs: conv3x3 + norm + ReLU layers of the light tower
            (``>= 1``).
        fine_feat_channels: channels of the light tower.
        *args, **kwargs: :class:`TemperatureRetinaHead` arguments
            (``cls_temperature``, ``stacked_convs``, ``feat_channels``,
            ``norm_cfg``, ``anchor_generator``, losses, ...).

    Inputs of :meth:`forward`: the FPN levels, finest first, each
    ``(B, in_channels, H_l, W_l)``. Outputs: class logits ``(B, A *
    num_classes, H_l, W_l)`` (divided by the temperature) and box deltas
    ``(B, A * 4, H_l, W_l)`` per level.
    """

    def __init__(self,
                 *args,
                 fine_levels: int = 1,
                 fine_stacked_convs: int = 2,
                 fine_feat_channels: int = 128,
                 init_cfg: Optional[dict] = _INIT_CFG,
                 **kwargs) -> None:
        if fine_levels < 0:
            raise ValueError('LightFineLevelRetinaHead: fine_levels must be '
                             f'>= 0, got {fine_levels}')
        if fine_stacked_convs < 1 or fine_feat_channels < 1:
            raise ValueError(
                'LightFineLevelRetinaHead: fine_stacked_convs and '
                'fine_feat_channels must be >= 1, got '
                f'{fine_stacked_convs} and {fine_feat_channels}')
        # _init_layers runs inside the parent constructor and needs these.
        self.fine_levels = fine_levels
        self.fine_stacked_convs = fine_stacked_convs
        self.fine_feat_channels = fine_feat_channels
        super().__init__(*args, init_cfg=init_cfg, **kwargs)
        num_levels = self.prior_generator.num_levels
        if fine_levels > num_levels:
            raise ValueError(
                f'LightFineLevelRetinaHead: fine_levels={fine_levels} but the '
                f'anchor generator has only {num_levels} levels')

    def _init_layers(self) -> None:
        super()._init_layers()
        convs, channels = [], self.in_channels
        for _ in range(self.fine_stacked_convs):
            convs.append(ConvModule(channels, self.fine_feat_channels, 3,
                                    padding=1, conv_cfg=self.conv_cfg,
                                    norm_cfg=self.norm_cfg))
            channels = self.fine_feat_channels
        self.fine_convs = nn.Sequential(*convs)
        self.fine_cls = nn.Conv2d(channels,
                                  self.num_base_priors * self.cls_out_channels,
                                  3, padding=1)
        self.fine_reg = nn.Conv2d(channels, self.num_base_priors * 4, 3,
                                  padding=1)

    def forward_fine(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """One fine level ``(B, C, H, W)`` -> (class logits / T, deltas)."""
        feat = self.fine_convs(x)
        return self.fine_cls(feat) / self.cls_temperature, self.fine_reg(feat)

    def forward(self, x: Tuple[Tensor, ...]) -> Tuple[List[Tensor],
                                                       List[Tensor]]:
        """FPN levels (finest first) -> (class logits, box deltas) per level."""
        outs = [self.forward_fine(feat) if level < self.fine_levels else
                self.forward_single(feat) for level, feat in enumerate(x)]
        cls_scores, bbox_preds = zip(*outs)
        return list(cls_scores), list(bbox_preds)
