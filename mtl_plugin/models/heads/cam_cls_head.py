"""Classification head whose class activation maps come from the same pass."""
import math
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mtl_plugin.registry import MODELS

#: how the class maps are pooled into logits
POOLS = ('mean', 'lse')


@MODELS.register_module()
class CAMClsHead(BaseModule):
    """Global-average-pooling + linear classifier that also returns its CAM.

    The weight-based CAM (Zhou et al., CVPR 2016) of class ``k`` is
    ``cam_k(x, y) = sum_c W[k, c] * f_c(x, y)``. Because average pooling and
    the linear layer commute, ``logits_k = mean_xy cam_k + b_k`` exactly, so the
    head computes the CAM as a 1x1 convolution with the classifier weights and
    the logits as its spatial mean: logits and maps come from one forward pass,
    and no backward pass is needed at inference. mmpretrain's
    ``LinearClsHead`` pools before the linear layer and cannot return the map,
    hence this head.

    ``pool='lse'`` pools each class map with log-sum-exp instead,
    ``logits_k = (1 / r) * log(mean_xy exp(r * cam_k)) + b_k`` (Pinheiro and
    Collobert, CVPR 2015): between the mean (``r`` -> 0) and the maximum
    (``r`` -> inf), so a defect covering a few cells of the grid can carry the
    logit where a mean dilutes it by the cell count. The CAM is still the
    map the logit is computed from, in the same single pass; the plain
    ``with_cam=False`` path then computes it too.

    Args:
        in_channels: channels ``C`` of the feature map.
        num_classes: number of classes ``K`` (2: normal, defect).
        dropout: dropout probability on the features during training.
        pool: ``'mean'`` (default) or ``'lse'``.
        lse_r: sharpness ``r`` of the log-sum-exp pooling (``> 0``).
        init_cfg: initialisation of the linear layer.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int = 2,
                 dropout: float = 0.0,
                 pool: str = 'mean',
                 lse_r: float = 5.0,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg)
        if pool not in POOLS:
            raise ValueError(f'CAMClsHead: pool must be one of {POOLS}, got '
                             f'{pool!r}')
        if lse_r <= 0:
            raise ValueError(f'CAMClsHead: lse_r must be > 0, got {lse_r}')
        self.pool = pool
        self.lse_r = float(lse_r)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feat: Tensor, with_cam: bool = True
                ) -> Union[Tuple[Tensor, Tensor], Tensor]:
        """
        Args:
            feat: ``(N, C, h, w)`` the features the classifier reads (a
                backbone level or an FPN level over the backbone).
            with_cam: also return the maps (``False``: plain classifier path,
                pooling first, which is what a classifier without CAM costs).

        Returns:
            ``(logits (N, K), cams (N, K, h, w))`` with ``with_cam``, else
            ``logits``. CAM values are per-pixel logit contributions
            (without the bias).
        """
        feat = self.dropout(feat)
        if not with_cam and self.pool == 'mean':
            return self.fc(feat.mean(dim=(2, 3)))
        cams = F.conv2d(feat, self.fc.weight[:, :, None, None])
        logits = self.pool_cams(cams) + self.fc.bias
        return (logits, cams) if with_cam else logits

    def pool_cams(self, cams: Tensor) -> Tensor:
        """``(N, K, h, w)`` class maps -> ``(N, K)`` logits without the bias."""
        if self.pool == 'mean':
            return cams.mean(dim=(2, 3))
        flat = cams.flatten(2).float() * self.lse_r
        lse = torch.logsumexp(flat, dim=2) - math.log(flat.shape[2])
        return (lse / self.lse_r).to(cams.dtype)

    def logits_from(self, feat: Tensor) -> Tensor:
        """Logits ``(N, K)`` of modified features ``(N, C, h, w)`` (the
        counterfactual and attention-weighted passes reuse the classifier)."""
        return self.forward(feat, with_cam=False)
