"""The 3-task study's small CNN: Conv32-Pool-Conv64-Pool-Conv128."""
from typing import Dict, Sequence, Tuple

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class TinyConvNet(BaseModule):
    """Stages of 3x3 conv + norm + ReLU, 2x2 max-pool between stages.

    With the default ``channels=(32, 64, 128)`` a ``(N, 3, 32, 32)`` input
    gives ``(N, 128, 8, 8)``: the spatial grid is kept so a head can pool
    in a way that preserves orientation (see :class:`PooledTaskHead`).

    Args:
        in_channels: input channels.
        channels: output channels of each stage.
        convs_per_stage: 3x3 convs per stage.
        norm_cfg: normalisation (None for plain conv + bias).
        out_indices: stages whose outputs are returned.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (32, 64, 128),
                 convs_per_stage: int = 1,
                 norm_cfg: Dict = dict(type='BN'),
                 out_indices: Sequence[int] = (2, ),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.out_indices = tuple(out_indices)
        self.stages = nn.ModuleList()
        c_in = in_channels
        for i, c in enumerate(channels):
            layers = [nn.MaxPool2d(2)] if i > 0 else []
            for _ in range(convs_per_stage):
                layers.append(ConvModule(c_in, c, 3, padding=1,
                                         norm_cfg=norm_cfg))
                c_in = c
            self.stages.append(nn.Sequential(*layers))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
