"""Semantic-segmentation decoder with transposed convolutions (ours).

mmseg's decode heads predict at the feature stride and upsample the logits
bilinearly at test time; the multi-task workload asks for a decoder that
learns the upsampling with transposed convolutions up to input resolution,
which no mmseg/mmdet head provides.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.structures import PixelData
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class TransposedConvSegHead(BaseModule):
    """FPN levels -> fused stride-``s`` map -> ``log2(s)`` transposed convs.

    The neck levels (all ``in_channels``) are upsampled bilinearly to the
    finest level and summed, refined by a 3x3 conv, then each
    ``ConvTranspose2d(k=4, s=2, p=1)`` + norm + ReLU doubles the resolution
    until the input resolution is reached; a 1x1 conv gives the logits.
    The upsampling stages may narrow (``up_channels``): at full resolution
    the cost per channel is ``in_stride**2`` times that of the input level.

    Args:
        num_classes: segmentation classes (background included).
        in_channels: channels of every input level.
        channels: channels of the fused input level.
        up_channels: output channels of each transposed conv (``log2
            in_stride`` values; default: ``channels`` for all).
        in_stride: stride of the finest input level (power of 2).
        num_inputs: how many of the finest levels to fuse.
        ignore_index: label ignored by the loss (also the padding value).
        loss_weight: multiplier of the cross-entropy.
        norm_cfg: normalisation after each conv.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int = 128,
                 channels: int = 64,
                 up_channels: Optional[Sequence[int]] = None,
                 in_stride: int = 4,
                 num_inputs: int = 4,
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 norm_cfg: Dict = dict(type='BN'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        num_up = int(round(math.log2(in_stride)))
        if 2**num_up != in_stride:
            raise ValueError(f'in_stride must be a power of 2, got {in_stride}')
        self.num_classes = num_classes
        self.num_inputs = num_inputs
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight
        self.fuse = ConvModule(in_channels, channels, 3, padding=1,
                               norm_cfg=norm_cfg)
        up_channels = list(up_channels or [channels] * num_up)
        if len(up_channels) != num_up:
            raise ValueError(f'up_channels needs {num_up} values for '
                             f'in_stride={in_stride}, got {up_channels}')
        ups, c_in = [], channels
        for c in up_channels:
            ups += [nn.ConvTranspose2d(c_in, c, 4, stride=2, padding=1,
                                       bias=False),
                    nn.BatchNorm2d(c) if norm_cfg else nn.Identity(),
                    nn.ReLU(inplace=True)]
            c_in = c
        self.upsample = nn.Sequential(*ups)
        self.conv_seg = nn.Conv2d(c_in, num_classes, 1)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """``feats``: levels ``(N, C, H/s_i, W/s_i)`` finest first ->
        logits ``(N, num_classes, H, W)`` at input resolution."""
        feats = list(feats)[:self.num_inputs]
        x = feats[0]
        for f in feats[1:]:
            x = x + F.interpolate(f, size=x.shape[-2:], mode='bilinear',
                                  align_corners=False)
        return self.conv_seg(self.upsample(self.fuse(x)))

    @staticmethod
    def _stack_gt(batch_data_samples: List, size: Sequence[int],
                  pad_value: int) -> Tensor:
        """Stack ``gt_sem_seg.data`` ``(1, h, w)`` into ``(N, H, W)``, padding
        bottom/right (as the data preprocessor pads images) with ``pad_value``."""
        gts = []
        for s in batch_data_samples:
            gt = s.gt_sem_seg.data
            h, w = gt.shape[-2:]
            gts.append(F.pad(gt, (0, size[1] - w, 0, size[0] - h),
                             value=pad_value)[0])
        return torch.stack(gts).long()

    def loss(self, feats: Sequence[Tensor], batch_data_samples: List) -> Dict[str, Tensor]:
        """Cross-entropy at input resolution -> ``{'loss_ce': scalar}``."""
        logits = self(feats)
        gt = self._stack_gt(batch_data_samples, logits.shape[-2:],
                            self.ignore_index).to(logits.device)
        loss = F.cross_entropy(logits, gt, ignore_index=self.ignore_index)
        return dict(loss_ce=loss * self.loss_weight)

    def predict(self, feats: Sequence[Tensor], batch_data_samples: List,
                rescale: bool = True) -> List[PixelData]:
        """Per image: ``PixelData(data=(1, H, W) long)`` class map.

        The padding is cropped away (``img_shape``); with ``rescale`` the
        logits are resized to ``ori_shape`` before the argmax, so the map has
        the size of the original image and of the packed ground truth.
        """
        logits = self(feats)
        results = []
        for i, sample in enumerate(batch_data_samples):
            h, w = sample.metainfo.get('img_shape', logits.shape[-2:])[:2]
            logit = logits[i:i + 1, :, :h, :w]
            if rescale and 'ori_shape' in sample.metainfo:
                logit = F.interpolate(logit, size=sample.ori_shape[:2],
                                      mode='bilinear', align_corners=False)
            results.append(PixelData(data=logit.argmax(1)))
        return results
