"""Per-task residual adapter between a shared neck and one task head."""
from typing import Dict, Optional, Sequence, Tuple

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class TaskFeatureAdapter(BaseModule):
    """``x_l + BN(conv_l(x_l))`` on every neck level, for one task.

    A residual adapter in the sense of Rebuffi, Bilen and Vedaldi (NeurIPS
    2017): each task reshapes the shared features for its head through its
    own light conv + BN per level, instead of pulling the shared layers
    towards what it alone needs. The BN scale starts at 0, so at
    initialisation the adapter is the identity and a model with adapters
    starts as the model without them (the conv weights get gradients once
    the scale has moved off 0).

    Args:
        in_channels: channels of every level (the FPN's ``out_channels``).
        num_levels: number of neck levels adapted.
        kernel_size: 1 (channel remix only) or 3 (also a local spatial
            context); odd, padding keeps the size.
        norm_cfg: mmcv norm config of the adapter.
    """

    def __init__(self,
                 in_channels: int,
                 num_levels: int,
                 kernel_size: int = 1,
                 norm_cfg: Dict = dict(type='BN'),
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'TaskFeatureAdapter kernel_size must be odd '
                             f'and >= 1, got {kernel_size}')
        if num_levels < 1:
            raise ValueError(f'TaskFeatureAdapter num_levels must be >= 1, '
                             f'got {num_levels}')
        self.convs = nn.ModuleList(
            ConvModule(in_channels, in_channels, kernel_size,
                       padding=kernel_size // 2, norm_cfg=norm_cfg,
                       act_cfg=None) for _ in range(num_levels))
        for conv in self.convs:
            nn.init.zeros_(conv.norm.weight)

    def init_weights(self) -> None:
        super().init_weights()
        # mmengine's init may reset the norm layers; identity start again.
        for conv in self.convs:
            nn.init.zeros_(conv.norm.weight)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Levels ``(N, C, H_l, W_l)`` -> adapted levels of the same shapes."""
        if len(feats) != len(self.convs):
            raise ValueError(f'TaskFeatureAdapter built for '
                             f'{len(self.convs)} levels got {len(feats)}')
        return tuple(x + conv(x) for x, conv in zip(feats, self.convs))
