"""Image classification head on neck features: global pooling + FC."""
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class GlobalPoolClsHead(BaseModule):
    """Average-pool each selected level, concatenate, dropout, linear.

    mmpretrain's ``LinearClsHead`` takes one feature vector; this head pools
    several FPN levels itself (a dominant-object label needs both coarse
    and fine levels) and reads ``gt_label`` from the multi-task data sample.

    Args:
        num_classes: image classes.
        in_channels: channels of each level.
        in_indices: levels to pool (indices into the neck outputs).
        dropout: dropout before the linear layer.
        loss_weight: multiplier of the cross-entropy.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int = 128,
                 in_indices: Sequence[int] = (0, 1, 2, 3),
                 dropout: float = 0.0,
                 loss_weight: float = 1.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_indices = tuple(in_indices)
        self.loss_weight = loss_weight
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels * len(self.in_indices), num_classes)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Levels ``(N, C, h_i, w_i)`` -> logits ``(N, num_classes)``."""
        pooled = [F.adaptive_avg_pool2d(feats[i], 1).flatten(1)
                  for i in self.in_indices]
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))

    def loss(self, feats: Sequence[Tensor], batch_data_samples: List) -> Dict[str, Tensor]:
        """Cross-entropy with ``gt_label`` -> ``{'loss_ce': scalar}``."""
        logits = self(feats)
        gt = torch.cat([s.gt_label for s in batch_data_samples]).to(logits.device)
        return dict(loss_ce=F.cross_entropy(logits, gt) * self.loss_weight)

    def predict(self, feats: Sequence[Tensor]) -> Tensor:
        """Class probabilities ``(N, num_classes)``."""
        return self(feats).softmax(dim=1)
