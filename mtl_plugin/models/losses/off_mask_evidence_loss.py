"""Evidence outside the defect must not vote "defect"."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mtl_plugin.models.utils import dilate_masks
from mtl_plugin.registry import MODELS


@MODELS.register_module()
class OffMaskEvidenceLoss(nn.Module):
    """Softplus of the strongest defect evidence outside the dilated GT mask.

    The defect logit of a CAM classifier is a pooling of its map, so every
    cell of the map votes. CAM guidance (a pixel-averaged BCE against the
    mask) barely notices a handful of cells that vote "defect" where no defect
    is, such as the corner where a label-correlated stamp sits: they are a
    fraction of a percent of the background pixels, yet they carry the
    decision. This loss looks at exactly those cells: per image, the ``topk``
    fraction of the grid cells outside the mask (dilated by ``dilate`` px at
    input resolution, then max-pooled to the grid: a cell touching the
    region is inside) with the highest evidence, and pushes them below zero
    with ``softplus``. Normal images have no inside: their strongest cells
    anywhere are pushed down. It needs no extra pass: it reads the map of the
    main forward pass (a right-for-the-right-reasons penalty in the sense of
    Ross et al. 2017, on the model's own evidence map instead of input
    gradients).

    Args:
        topk: fraction of the outside cells penalised per image (> 0, <= 1;
            at least one cell).
        dilate: dilation of the GT mask in pixels at input resolution.
    """

    def __init__(self, topk: float = 0.05, dilate: int = 4) -> None:
        super().__init__()
        if not 0.0 < topk <= 1.0:
            raise ValueError(f'OffMaskEvidenceLoss: topk must be in (0, 1], got {topk}')
        if dilate < 0:
            raise ValueError(f'OffMaskEvidenceLoss: dilate must be >= 0 px, got {dilate}')
        self.topk = float(topk)
        self.dilate = int(dilate)

    def forward(self, evidence: Tensor, masks: Tensor) -> Tensor:
        """
        Args:
            evidence: ``(N, 1, h, w)`` defect evidence on the feature grid
                (raw CAM, or the CAM difference of the two classes).
            masks: ``(N, 1, H, W)`` float GT masks in {0, 1} at input size
                (a multiple of the grid).

        Returns:
            Scalar: mean over images of the mean softplus of their top-k
            outside cells.
        """
        h, w = evidence.shape[-2:]
        if masks.shape[-2] % h or masks.shape[-1] % w:
            raise ValueError(f'OffMaskEvidenceLoss: mask size {tuple(masks.shape[-2:])} '
                             f'is not a multiple of the evidence grid {(h, w)}')
        region = dilate_masks(masks.float(), self.dilate)
        inside = F.adaptive_max_pool2d(region, (h, w)).flatten(1) > 0  # (N, h*w)
        values = evidence.float().flatten(1).masked_fill(inside, -math.inf)
        k = max(1, math.ceil(self.topk * h * w))
        top = values.topk(k, dim=1).values  # (N, k), -inf where fewer cells
        valid = torch.isfinite(top)
        per_cell = F.softplus(top.masked_fill(~valid, 0.0)) * valid
        per_image = per_cell.sum(1) / valid.sum(1).clamp(min=1)
        return per_image.mean()
