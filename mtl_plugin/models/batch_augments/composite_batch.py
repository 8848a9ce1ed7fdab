"""Images composed from a training batch, with the labels and masks they carry."""
from dataclasses import dataclass, fields
from typing import Sequence

import torch
from torch import Tensor


@dataclass(frozen=True)
class CompositeBatch:
    """Output of the in-model batch augments (:class:`ContextErasure`,
    :class:`DefectTransplant`).

    Attributes:
        images: ``(M, 3, H, W)`` composed network inputs (normalised, like the
            batch they come from).
        labels: ``(M,)`` long image labels of the composites.
        masks: ``(M, 1, H, W)`` float defect masks in {0, 1}: where the
            defect now is (zeros for a normal composite).
        sources: ``(M,)`` long batch index of the image whose region (the
            defect, or the defect-free region of a normal image) the
            composite carries.
        targets: ``(M,)`` long batch index of the image that gives the rest
            of the composite; ``-1`` where the rest is a blurred copy of the
            source instead.
    """
    images: Tensor
    labels: Tensor
    masks: Tensor
    sources: Tensor
    targets: Tensor

    @classmethod
    def empty(cls, like: Tensor) -> 'CompositeBatch':
        """No composite (every field has 0 rows); ``like``: the ``(N, 3, H,
        W)`` batch (dtype and device)."""
        _, c, h, w = like.shape
        index = like.new_zeros(0, dtype=torch.long)
        return cls(like.new_zeros(0, c, h, w), index,
                   like.new_zeros(0, 1, h, w, dtype=torch.float32), index,
                   index)

    @property
    def num_images(self) -> int:
        """Number of composites ``M``."""
        return self.images.shape[0]

    @classmethod
    def cat(cls, parts: Sequence['CompositeBatch']) -> 'CompositeBatch':
        """Stack composite batches, rows in order."""
        return cls(**{f.name: torch.cat([getattr(p, f.name) for p in parts])
                      for f in fields(cls)})



def subsample(indices: Tensor, fraction: float = 1.0) -> Tensor:
    """A random ``fraction`` of the batch ``indices`` (``(M,)`` long), at
    least one when there is any, in batch order (``fraction`` 1: all of
    them): the augments compose from part of the defect images of a step to
    bound the cost of the extra pass, independently of the batch size."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f'fraction must be in (0, 1], got {fraction}')
    if fraction == 1.0 or indices.numel() == 0:
        return indices
    count = max(1, round(fraction * indices.numel()))
    keep = torch.randperm(indices.numel(), device=indices.device)[:count]
    return indices[keep.sort().values]
