"""Context erasure: the defect without its context must still be a defect."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mtl_plugin.models.utils import dilate_masks
from mtl_plugin.registry import MODELS

from .composite_batch import CompositeBatch, subsample

REGIONS = ('gt', 'attention')
FILLS = ('normal', 'blur')


@MODELS.register_module()
class ContextErasure(nn.Module):
    """Compose sufficiency images from a batch: each defect kept with its
    context replaced, and (``complement``) its context kept with the defect
    replaced.

    Attention mining and the counterfactual loss teach that the defect is
    *necessary* (erase it and the score must drop); a model that learned "a
    shortcut cue AND the defect" satisfies both. These composites teach that
    it is *sufficient*. For every defect image ``i`` (region ``R_i``) and a
    normal image ``j`` of the batch drawn at random:

    * positive: ``R_i * x_i + (1 - R_i) * x_j``, label defect, mask
      ``m_i``: the defect on a context that carries no evidence (the normal
      image's, where a label-correlated cue is rare);
    * complement: ``R_i * x_j + (1 - R_i) * x_i``, label normal, mask 0: the
      defect image's context alone (with its cue) is not evidence. The
      seams at the border of ``R_i`` then occur under both labels;
    * control (``control=True``): ``R_i * x_j + (1 - R_i) * x_k`` with
      another normal image ``k``, label normal: a seam on a cue-free context
      without a defect, so that the seam is no evidence on either context.

    ``R_i`` is the GT mask dilated by ``dilate`` px (``region='gt'``) or a
    region the caller passes (``region='attention'``: the model passes the
    soft mask of its detached fused attention). With ``fill='blur'``, or when
    the batch has no normal image, the positive's context is a box-blurred
    copy of ``x_i`` (``blur_size`` px: the surface's brightness without its
    fine structure); the complement needs a normal image and is then left
    out. No defect image: an empty :class:`CompositeBatch`.

    Works on the normalised network inputs (pixel blending commutes with the
    per-channel mean/std normalisation), in their dtype.

    Args:
        region: ``'gt'`` or ``'attention'``, what is kept of a defect image.
        dilate: dilation of the GT mask in pixels (``region='gt'``).
        fill: ``'normal'`` or ``'blur'``, where the positive's context
            comes from.
        blur_size: side of the box blur in pixels (odd).
        complement: also compose the normal complements.
        control: also compose a control per defect image: the region of
            another normal image pasted into the partner's context, label
            normal. The positive shows "a seam on a context without the
            cue" with a defect inside; without controls, "a seam and no cue"
            is itself evidence of a defect, a shortcut the composites create
            (it shows as a high ``sufficiency_control`` in
            ``tools/analysis/shortcut_audit.py``).
        feather: width in pixels of a linear ramp at the border of ``R_i``
            (the region box-blurred by ``2 * feather + 1`` px, the GT mask
            kept at 1), so the seam is a blend instead of a step; 0: a hard
            border. At most ``dilate``.
        defect_fraction: compose from this fraction of the batch's defect
            images (at least one), drawn at random each step (1: all), to
            bound the cost of the extra pass.
        defect_class: label of defect images.
        normal_class: label of normal images.
    """

    def __init__(self,
                 region: str = 'gt',
                 dilate: int = 4,
                 fill: str = 'normal',
                 blur_size: int = 31,
                 complement: bool = True,
                 control: bool = False,
                 feather: int = 0,
                 defect_fraction: float = 1.0,
                 defect_class: int = 1,
                 normal_class: int = 0) -> None:
        super().__init__()
        if not 0 <= feather <= dilate:
            raise ValueError(f'ContextErasure: feather must be in [0, dilate={dilate}] '
                             f'px, got {feather}')
        if not 0.0 < defect_fraction <= 1.0:
            raise ValueError(f'ContextErasure: defect_fraction must be in (0, 1], '
                             f'got {defect_fraction}')
        if region not in REGIONS:
            raise ValueError(f'ContextErasure: region must be one of {REGIONS}, '
                             f'got {region!r}')
        if fill not in FILLS:
            raise ValueError(f'ContextErasure: fill must be one of {FILLS}, got '
                             f'{fill!r}')
        if dilate < 0:
            raise ValueError(f'ContextErasure: dilate must be >= 0 px, got '
                             f'{dilate}')
        if blur_size < 1 or blur_size % 2 == 0:
            raise ValueError(f'ContextErasure: blur_size must be an odd number '
                             f'of pixels, got {blur_size}')
        self.region = region
        self.dilate = int(dilate)
        self.fill = fill
        self.blur_size = int(blur_size)
        self.complement = bool(complement)
        self.control = bool(control)
        self.feather = int(feather)
        self.defect_fraction = float(defect_fraction)
        self.defect_class = defect_class
        self.normal_class = normal_class

    def blur(self, images: Tensor) -> Tensor:
        """Box blur ``(N, C, H, W)`` -> same shape (borders average the
        pixels inside the image only)."""
        return F.avg_pool2d(images, self.blur_size, stride=1,
                            padding=self.blur_size // 2,
                            count_include_pad=False)

    @staticmethod
    def compose(keep: Tensor, rest: Tensor, region: Tensor) -> Tensor:
        """``region * keep + (1 - region) * rest`` for ``(M, C, H, W)``
        images and an ``(M, 1, H, W)`` region in [0, 1]."""
        region = region.to(keep.dtype)
        return region * keep + (1.0 - region) * rest

    def forward(self, inputs: Tensor, masks: Tensor, labels: Tensor,
                region: Optional[Tensor] = None) -> CompositeBatch:
        """
        Args:
            inputs: ``(N, 3, H, W)`` normalised batch.
            masks: ``(N, 1, H, W)`` float GT masks in {0, 1}.
            labels: ``(N,)`` image labels.
            region: ``(N, 1, H, W)`` kept region in [0, 1] of every image
                (only rows of defect images are read); required with
                ``region='attention'``, ignored with ``'gt'``.

        Returns:
            :class:`CompositeBatch`: the positives (in the order of the defect
            images), then the complements, then the controls.
        """
        defect = subsample((labels == self.defect_class).nonzero(as_tuple=True)[0],
                           self.defect_fraction)
        normal = (labels == self.normal_class).nonzero(as_tuple=True)[0]
        if defect.numel() == 0:
            return CompositeBatch.empty(inputs)
        if self.region == 'gt':
            kept = dilate_masks(masks[defect], self.dilate)
            if self.feather:
                size = 2 * self.feather + 1
                ramp = F.avg_pool2d(kept, size, stride=1, padding=self.feather,
                                    count_include_pad=False)
                kept = torch.maximum(ramp, masks[defect])
        elif region is None:
            raise ValueError("ContextErasure: region='attention' needs the "
                             'region map from the model')
        else:
            kept = region[defect].detach().float()
        x_def = inputs[defect]
        if normal.numel() == 0:
            return CompositeBatch(
                self.compose(x_def, self.blur(x_def), kept),
                labels[defect], masks[defect], defect,
                torch.full_like(defect, -1))
        partner = normal[torch.randint(normal.numel(), (defect.numel(), ),
                                       device=defect.device)]
        x_norm = inputs[partner]
        if self.fill == 'normal':
            positive = self.compose(x_def, x_norm, kept)
            pos_targets = partner
        else:
            positive = self.compose(x_def, self.blur(x_def), kept)
            pos_targets = torch.full_like(defect, -1)
        parts = [CompositeBatch(positive, labels[defect], masks[defect],
                                defect, pos_targets)]
        if self.complement:
            parts.append(CompositeBatch(
                self.compose(x_norm, x_def, kept), labels[partner],
                torch.zeros_like(masks[defect]), partner, defect))
        if self.control:
            # the partner's region in another normal image's context: the
            # seam without a defect, on a context that rarely carries the cue
            other = normal[torch.randint(normal.numel(), (defect.numel(), ),
                                         device=defect.device)]
            parts.append(CompositeBatch(
                self.compose(x_norm, inputs[other], kept), labels[partner],
                torch.zeros_like(masks[defect]), partner, other))
        return CompositeBatch.cat(parts)
