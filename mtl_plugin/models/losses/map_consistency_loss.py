"""CAM/attention-vs-localization consistency loss (S4+)."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from mtl_plugin.registry import MODELS
from mtl_plugin.utils.map_normalization import minmax_normalize


@MODELS.register_module()
class MapConsistencyLoss(nn.Module):
    """Mean squared error between a min-max normalised map and the localization
    probability.

    The localization head is trained on GT masks and is sharper than a 7x7 CAM;
    this term pulls the classifier's own map (CAM or GAIN attention) towards it.
    By default the localization map is the teacher (``detach_target=True``): the
    term trains the classifier branch, not the localization head. Computed on
    defect images only: a min-max normalised map always reaches 1 somewhere,
    which cannot match an all-zero normal image.

    Args:
        detach_target: stop the gradient into the localization probability.
    """

    def __init__(self, detach_target: bool = True) -> None:
        super().__init__()
        self.detach_target = detach_target

    def forward(self, maps: Tensor, loc_prob: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """
        Args:
            maps: ``(N, 1, H, W)`` raw CAM or attention (normalised here).
            loc_prob: ``(N, 1, H, W)`` localization probability in [0, 1].
            weight: ``(N,)`` per-image weights (1 for defect images, 0 else);
                ``None`` weighs all images equally.

        Returns:
            Scalar; 0 (attached to the graph) when every weight is 0.
        """
        if maps.shape != loc_prob.shape:
            raise ValueError(f'MapConsistencyLoss: map shape {tuple(maps.shape)}'
                             f' != localization shape {tuple(loc_prob.shape)}')
        target = loc_prob.detach() if self.detach_target else loc_prob
        per_image = ((minmax_normalize(maps.float()) -
                      target.float())**2).flatten(1).mean(dim=1)
        if weight is None:
            return per_image.mean()
        weight = weight.to(per_image)
        return (per_image * weight).sum() / weight.sum().clamp(min=1.0)
