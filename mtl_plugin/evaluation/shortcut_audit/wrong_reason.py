"""Wrong-reason mass: how much of a map's energy lies outside the defect.

The map is min-max normalised per image (as
:class:`~mtl_plugin.evaluation.metrics.CAMMetric`), ``M = (A - min A) /
(max A - min A)``; the wrong-reason mass is ``sum(M * (1 - R)) / sum(M)``
with ``R`` the defect region (the dilated mask), i.e. ``1 -`` CAMMetric's
``energy_inside`` against ``R``. A constant map carries no location and
counts as uniform: its mass is ``1 - |R| / (H W)``, the chance level.
"""
from typing import Tuple

import numpy as np
import torch

from mtl_plugin.utils.map_normalization import minmax_normalize


def wrong_reason_mass(saliency: np.ndarray, region: np.ndarray) -> Tuple[float, float]:
    """Mass of ``saliency`` ``(H, W)`` outside ``region`` ``(H, W)`` bool.

    Returns:
        ``(mass, chance)``: the fraction of the normalised map's energy
        outside the region, and that of a uniform map (``1 - |R| / (H W)``).
    """
    if saliency.shape != region.shape:
        raise ValueError(f'wrong_reason_mass: map {saliency.shape} and region '
                         f'{region.shape} differ in shape')
    region = np.asarray(region, dtype=bool)
    chance = 1.0 - float(region.mean())
    norm = minmax_normalize(torch.as_tensor(saliency, dtype=torch.float64)[None],
                            eps=0.0)[0].numpy()
    total = norm.sum()
    if total <= 0:
        return chance, chance
    return float(norm[~region].sum() / total), chance
