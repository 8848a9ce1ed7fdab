"""Counterfactual loss (S5+): remove the defect and the image must look normal."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class CounterfactualLoss(nn.Module):
    """Cross-entropy toward "normal" once the defect region is suppressed, and
    the optional CAL effect term.

    Counterfactual term (``forward``): for every defect image, the input of the
    classifier is suppressed under the GT mask (:meth:`suppress`): with
    ``level='feature'`` the features the classifier reads (the model's
    ``cam_features``: a backbone level or a level of its CAM neck) are
    multiplied by ``1 - m``, ``m`` the mask max-pooled to the feature grid (a
    cell touching the defect is removed), which costs one extra
    classifier-head call; with
    ``level='image'`` the network input is multiplied by ``1 - mask`` and
    passed through the backbone again. The loss is the mean cross-entropy of
    those logits toward ``normal_class`` over the defect images: it is small
    when the prediction relies on the defect pixels only and large when the
    model still says "defect" without them (e.g. because of a shortcut cue
    elsewhere). Normal images do not contribute; the term is 0 (attached to
    the graph) when the batch has no defect image. Suppressed cells receive no
    gradient from this term.

    CAL effect term (:meth:`effect`, Rao et al., ICCV 2021):
    ``CE(y, logits(A) - logits(A_rand))`` over all images, with ``logits(A)``
    the classifier on features weighted by the model's attention ``A`` and
    ``A_rand`` a random attention map: it rewards attention that explains the
    label better than chance attention does.

    The defect class is the model's (``GAINMTL.defect_class``), passed to each
    call, so the loss cannot disagree with the model about it.

    Args:
        level: ``'feature'`` or ``'image'``, where the mask is applied.
        normal_class: index of the "normal" class (target of the term);
            ``None`` means the other class of a two-class classifier.
    """

    def __init__(self, level: str = 'feature',
                 normal_class: Optional[int] = None) -> None:
        super().__init__()
        if level not in ('feature', 'image'):
            raise ValueError("CounterfactualLoss: level must be 'feature' or "
                             f"'image', got {level!r}")
        self.level = level
        self.normal_class = normal_class

    @staticmethod
    def suppress(x: Tensor, mask: Tensor) -> Tensor:
        """Zero ``x`` where the mask is foreground.

        Args:
            x: ``(N, C, h, w)`` features or images.
            mask: ``(N, 1, H, W)`` float GT mask in {0, 1}; max-pooled to
                ``(h, w)`` when the sizes differ.

        Returns:
            ``x * (1 - m)`` of the shape of ``x``.
        """
        if mask.shape[-2:] != x.shape[-2:]:
            mask = F.adaptive_max_pool2d(mask, x.shape[-2:])
        return x * (1.0 - mask.to(x.dtype))

    def forward(self, cf_logits: Tensor, labels: Tensor,
                defect_class: int) -> Tensor:
        """
        Args:
            cf_logits: ``(N, K)`` logits of the suppressed inputs.
            labels: ``(N,)`` GT image labels.
            defect_class: index of the defect class (which images count).

        Returns:
            Scalar mean cross-entropy toward the normal class over defect images.
        """
        target = torch.full_like(
            labels, self._normal_class(cf_logits.shape[1], defect_class))
        per_image = F.cross_entropy(cf_logits.float(), target, reduction='none')
        is_defect = (labels == defect_class).to(per_image)
        return (per_image * is_defect).sum() / is_defect.sum().clamp(min=1.0)

    def _normal_class(self, num_classes: int, defect_class: int) -> int:
        normal = self.normal_class
        if normal is None:
            if num_classes != 2:
                raise ValueError(
                    f'CounterfactualLoss: the classifier has {num_classes} '
                    'classes; set normal_class (the target of the term)')
            normal = 1 - defect_class
        if normal == defect_class:
            raise ValueError(f'CounterfactualLoss: normal_class={normal} is the '
                             'defect class')
        return normal

    @staticmethod
    def effect(att_logits: Tensor, random_logits: Tensor,
               labels: Tensor) -> Tensor:
        """CAL effect term.

        Args:
            att_logits: ``(N, K)`` logits with the model's attention.
            random_logits: ``(N, K)`` logits with random attention.
            labels: ``(N,)`` GT image labels.

        Returns:
            Scalar ``CE(labels, att_logits - random_logits)``.
        """
        return F.cross_entropy((att_logits - random_logits).float(), labels)
