"""Per-map min-max normalisation of spatial maps (CAM, attention).

The one implementation used by the models (GAIN soft mask, map consistency,
attention fusion), by :class:`~mtl_plugin.evaluation.metrics.CAMMetric` and by
the GAIN visualisation panels. It lives in :mod:`mtl_plugin.utils` rather than
in ``mtl_plugin.models`` so that evaluation and visualisation use it without
depending on the models package.
"""
import torch
from torch import Tensor


def minmax_normalize(maps: Tensor, eps: float = 1e-6) -> Tensor:
    """Min-max normalise each map of a batch to [0, 1].

    ``(A - min A) / (max A - min A + eps)`` per entry of the batch.
    Differentiable (gradients flow to ``maps``), so a loss on the normalised
    map trains whatever produced it. A constant map becomes all zeros.

    ``eps > 0`` (the default, for training) keeps the division smooth when
    the range is tiny. ``eps = 0`` is the exact normalisation the metrics and
    panels use: the maximum of a non-constant map is exactly 1, so a
    threshold of 1.0 still selects it.

    Args:
        maps: ``(N, ...)`` maps, e.g. ``(N, 1, H, W)``; each of the ``N``
            entries is normalised on its own.
        eps: added to the range ``max - min`` before dividing (>= 0).

    Returns:
        Tensor of the shape and dtype of ``maps`` with values in [0, 1].
    """
    if eps < 0:
        raise ValueError(f'minmax_normalize: eps must be >= 0, got {eps}')
    flat = maps.flatten(1)
    low = flat.min(dim=1, keepdim=True).values
    high = flat.max(dim=1, keepdim=True).values
    span = high - low + eps
    # Only a constant map with eps = 0 has span 0; its numerator is 0 too.
    span = torch.where(span > 0, span, torch.ones_like(span))
    return ((flat - low) / span).view_as(maps)
