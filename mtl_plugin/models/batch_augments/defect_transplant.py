"""Mask-guided defect transplant (CutPaste-style) onto normal images."""
from typing import Tuple

import torch
import torch.nn as nn
from torch import Tensor

from mtl_plugin.models.utils import mask_ring
from mtl_plugin.registry import MODELS

from .composite_batch import CompositeBatch, subsample

MATCH_STATS = ('mean', 'none')


@MODELS.register_module()
class DefectTransplant(nn.Module):
    """Paste every defect of the batch, with its mask, onto a normal image of
    the batch: the composite is a defect whatever else the image holds.

    CutPaste (Li et al., CVPR 2021) pastes random patches to *simulate*
    anomalies; here the pasted region is a real defect cut out by its GT
    mask, so the composite's label (defect) and mask (the moved GT mask) are
    known, and the label stops correlating with anything outside the mask
    (a shortcut cue of the source image stays behind). For every defect
    image ``i`` (mask ``m_i``) and a normal image ``j`` drawn at random:

    ``x' = S(m_i) * (S(x_i) + delta) + (1 - S(m_i)) * x_j``, label defect,
    mask ``S(m_i)``,

    where ``S`` shifts by a random integer offset that keeps the mask's
    bounding box inside the image (``shift=False``: no shift) and ``delta``
    (``match_stats='mean'``) is, per channel, the mean of ``x_j`` on the
    ``ring_width`` px ring around ``S(m_i)`` minus the mean of ``x_i`` on
    the ring around ``m_i``. A defect is a change relative to the surface it
    sits on: pasting raw pixels of a brighter or darker surface adds a patch
    of the wrong brightness (an anomaly of its own, but not the defect);
    matching the local mean keeps the change and drops the source surface
    (``'none'``: raw pixels). No defect or no normal image in the batch: an
    empty :class:`CompositeBatch`.

    Works on the normalised network inputs in their dtype.

    Args:
        shift: move the defect by a random offset.
        match_stats: ``'mean'`` or ``'none'``.
        ring_width: width in pixels of the rings whose means are matched.
        defect_fraction: transplant this fraction of the batch's defect
            images (at least one), drawn at random each step (1: all), to
            bound the cost of the extra pass.
        defect_class: label of defect images.
        normal_class: label of normal images.
    """

    def __init__(self,
                 shift: bool = True,
                 match_stats: str = 'mean',
                 ring_width: int = 3,
                 defect_fraction: float = 1.0,
                 defect_class: int = 1,
                 normal_class: int = 0) -> None:
        super().__init__()
        if not 0.0 < defect_fraction <= 1.0:
            raise ValueError(f'DefectTransplant: defect_fraction must be in (0, 1], '
                             f'got {defect_fraction}')
        self.defect_fraction = float(defect_fraction)
        if match_stats not in MATCH_STATS:
            raise ValueError(f'DefectTransplant: match_stats must be one of '
                             f'{MATCH_STATS}, got {match_stats!r}')
        if ring_width < 1:
            raise ValueError(f'DefectTransplant: ring_width must be >= 1 px, '
                             f'got {ring_width}')
        self.shift = bool(shift)
        self.match_stats = match_stats
        self.ring_width = int(ring_width)
        self.defect_class = defect_class
        self.normal_class = normal_class

    @staticmethod
    def random_shifts(masks: Tensor) -> Tensor:
        """``(M, 2)`` long ``(dy, dx)`` per ``(M, 1, H, W)`` mask, uniform
        over the offsets that keep the mask's bounding box inside the image
        (``(0, 0)`` for an empty mask)."""
        h, w = masks.shape[-2:]
        shifts = torch.zeros(masks.shape[0], 2, dtype=torch.long,
                             device=masks.device)
        for k, mask in enumerate(masks[:, 0] > 0):
            rows = mask.any(dim=1).nonzero(as_tuple=True)[0]
            cols = mask.any(dim=0).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            for axis, (idx, size) in enumerate(((rows, h), (cols, w))):
                low, high = -int(idx[0]), size - 1 - int(idx[-1])
                shifts[k, axis] = int(torch.randint(low, high + 1, (1, )))
        return shifts

    def _ring_mean(self, images: Tensor, masks: Tensor) -> Tensor:
        """Per-channel mean ``(M, C, 1, 1)`` of ``images`` on the ring around
        ``masks`` (0 where the ring is empty)."""
        ring = mask_ring(masks, self.ring_width).to(images.dtype)
        area = ring.sum(dim=(2, 3), keepdim=True)
        return (images * ring).sum(dim=(2, 3), keepdim=True) / area.clamp(
            min=1.0)

    def paste(self, src: Tensor, src_masks: Tensor, dst: Tensor,
              shifts: Tensor) -> Tuple[Tensor, Tensor]:
        """Paste the masked pixels of ``src`` onto ``dst``.

        Args:
            src: ``(M, C, H, W)`` images holding the defects (``M >= 1``).
            src_masks: ``(M, 1, H, W)`` float defect masks of ``src``.
            dst: ``(M, C, H, W)`` images receiving them.
            shifts: ``(M, 2)`` integer ``(dy, dx)`` per pair; the shifted
                mask must stay inside the image (as :meth:`random_shifts`
                draws them), otherwise it would wrap around.

        Returns:
            ``(composites (M, C, H, W), moved masks (M, 1, H, W))``.
        """
        offsets = [tuple(int(v) for v in d) for d in shifts]
        moved_src = torch.stack([torch.roll(s, d, dims=(-2, -1))
                                 for s, d in zip(src, offsets)])
        moved = torch.stack([torch.roll(m, d, dims=(-2, -1))
                             for m, d in zip(src_masks, offsets)])
        if self.match_stats == 'mean':
            moved_src = moved_src + (self._ring_mean(dst, moved) -
                                     self._ring_mean(src, src_masks))
        weight = moved.to(dst.dtype)
        return weight * moved_src + (1.0 - weight) * dst, moved

    def forward(self, inputs: Tensor, masks: Tensor,
                labels: Tensor) -> CompositeBatch:
        """
        Args:
            inputs: ``(N, 3, H, W)`` normalised batch.
            masks: ``(N, 1, H, W)`` float GT masks in {0, 1}.
            labels: ``(N,)`` image labels.

        Returns:
            :class:`CompositeBatch` with one composite per defect image.
        """
        defect = subsample((labels == self.defect_class).nonzero(as_tuple=True)[0],
                           self.defect_fraction)
        normal = (labels == self.normal_class).nonzero(as_tuple=True)[0]
        if defect.numel() == 0 or normal.numel() == 0:
            return CompositeBatch.empty(inputs)
        partner = normal[torch.randint(normal.numel(), (defect.numel(), ),
                                       device=defect.device)]
        src_masks = masks[defect]
        shifts = (self.random_shifts(src_masks) if self.shift else
                  torch.zeros(defect.numel(), 2, dtype=torch.long,
                              device=defect.device))
        images, moved = self.paste(inputs[defect], src_masks, inputs[partner],
                                   shifts)
        return CompositeBatch(images, labels[defect], moved, defect, partner)
