"""Image-level task head of the 3-task study (classification or regression)."""
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class PooledTaskHead(BaseModule):
    """Adaptive pooling to a ``pool_size`` grid, flatten, MLP.

    ``pool_size=1`` is global average pooling, which throws away where the
    features are and so most of an object's orientation; ``pool_size >= 2``
    keeps a coarse layout (the 32-class orientation task needs it, see
    configs/multitask/README.md). mmpretrain's heads read ``gt_label`` only;
    this one reads ``gt_<task>`` so several image-level tasks share a sample.

    Args:
        task: task name; ground truth ``gt_<task>``, prediction ``pred_<task>``.
        num_outputs: classes (classification) or 1 (regression).
        kind: ``'cls'`` (cross-entropy, prediction = probabilities
            ``(num_classes,)``) or ``'reg'`` (L1, prediction ``(1,)``).
        in_channels: channels of the last backbone map.
        pool_size: side of the pooled grid.
        pool_type: ``'avg'`` or ``'max'``.
        hidden: hidden units of the MLP (0 = linear head).
        dropout: dropout before the last layer.
        loss_weight: multiplier of the loss.
    """

    def __init__(self,
                 task: str,
                 num_outputs: int,
                 kind: str = 'cls',
                 in_channels: int = 128,
                 pool_size: int = 4,
                 pool_type: str = 'avg',
                 hidden: int = 256,
                 dropout: float = 0.0,
                 loss_weight: float = 1.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if kind not in ('cls', 'reg'):
            raise ValueError(f"kind must be 'cls' or 'reg', got {kind!r}")
        if pool_type not in ('avg', 'max'):
            raise ValueError(f"pool_type must be 'avg' or 'max', got {pool_type!r}")
        self.task, self.kind = task, kind
        self.num_outputs = num_outputs
        self.loss_weight = loss_weight
        self.pool = (nn.AdaptiveAvgPool2d(pool_size) if pool_type == 'avg'
                     else nn.AdaptiveMaxPool2d(pool_size))
        dim = in_channels * pool_size * pool_size
        layers: List[nn.Module] = [nn.Flatten()]
        if hidden:
            layers += [nn.Linear(dim, hidden), nn.ReLU(inplace=True)]
            dim = hidden
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(dim, num_outputs))
        self.mlp = nn.Sequential(*layers)

    def forward(self, feat: Tensor) -> Tensor:
        """``(N, C, h, w)`` -> ``(N, num_outputs)``."""
        return self.mlp(self.pool(feat))

    def loss(self, feat: Tensor, batch_data_samples: List) -> Dict[str, Tensor]:
        out = self(feat)
        gt = torch.cat([s.get(f'gt_{self.task}') for s in batch_data_samples])
        gt = gt.to(out.device)
        if self.kind == 'cls':
            loss = F.cross_entropy(out, gt.long())
        else:
            loss = F.l1_loss(out[:, 0], gt.float())
        return dict(loss=loss * self.loss_weight)

    def predict(self, feat: Tensor) -> Tensor:
        """Probabilities ``(N, num_classes)`` or values ``(N, 1)``."""
        out = self(feat)
        return out.softmax(1) if self.kind == 'cls' else out
