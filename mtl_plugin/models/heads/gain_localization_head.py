"""Localization (segmentation) branch of GAIN-MTL on an FPN (S4+)."""
from typing import Dict, Optional, Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class GAINLocalizationHead(BaseModule):
    """FPN (mmdet) over the backbone levels, fused at the finest level, then a
    conv to one defect logit per pixel, trained with BCE + Dice.

    The FPN outputs are bilinearly upsampled to the finest level (stride 4 with
    the default backbone levels) and summed, then a 3x3 conv-BN-ReLU and a 1x1
    conv give the logits. Losses reuse mmdet's ``CrossEntropyLoss``
    (``use_sigmoid=True``: ``binary_cross_entropy_with_logits``, AMP-safe) and
    ``DiceLoss``.

    Args:
        neck: config of the FPN (``in_channels`` = backbone level channels).
        detach_input: stop the gradient between this branch and the backbone
            features (the localization losses then train only this head).
        loss_bce: BCE loss config.
        loss_dice: Dice loss config.
        norm_cfg: norm of the fusion conv.
        init_cfg: initialisation config.
    """

    def __init__(self,
                 neck: dict,
                 detach_input: bool = False,
                 loss_bce: dict = dict(
                     type='CrossEntropyLoss', use_sigmoid=True,
                     loss_weight=1.0),
                 loss_dice: dict = dict(
                     type='DiceLoss', use_sigmoid=True, loss_weight=1.0),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.neck = MODELS.build(neck)
        channels = neck['out_channels']
        self.detach_input = detach_input
        self.fuse = ConvModule(channels, channels, 3, padding=1,
                               norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        self.out = nn.Conv2d(channels, 1, 1)
        self.loss_bce = MODELS.build(loss_bce)
        self.loss_dice = MODELS.build(loss_dice)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Backbone levels (fine to coarse, ``(N, C_i, h_i, w_i)``) ->
        ``(N, 1, h_0, w_0)`` defect logits at the finest level."""
        if self.detach_input:
            feats = [f.detach() for f in feats]
        levels = self.neck(tuple(feats))
        size = levels[0].shape[-2:]
        fused = levels[0]
        for level in levels[1:]:
            fused = fused + F.interpolate(
                level, size=size, mode='bilinear', align_corners=False)
        return self.out(self.fuse(fused))

    def loss(self, logits: Tensor, mask: Tensor) -> Dict[str, Tensor]:
        """
        Args:
            logits: ``(N, 1, H, W)`` logits at mask resolution.
            mask: ``(N, 1, H, W)`` float GT mask in {0, 1}.

        Returns:
            ``{'loss_loc_bce', 'loss_loc_dice'}`` scalars (unweighted by the
            model's ``loss_weights['loc']``).
        """
        pred = logits.float().flatten(1)
        target = mask.float().flatten(1)
        return dict(loss_loc_bce=self.loss_bce(pred, target),
                    loss_loc_dice=self.loss_dice(pred, target))
