"""GAIN attention-mining loss L_am (S3+)."""
import torch.nn as nn
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class AttentionMiningLoss(nn.Module):
    """Mean defect-class score on the attention-erased image ``I* = I - T(A)*I``.

    GAIN (Li et al., CVPR 2018): if the attention covers the whole defect,
    erasing it leaves nothing the classifier can call "defect", so minimising
    this score makes the attention grow over the full defect. Only images whose
    GT label is the defect class count (a normal image has nothing to erase).

    The defect class is the model's (``GAINMTL.defect_class``), passed to each
    call, so the loss cannot disagree with the model about it.
    """

    def forward(self, masked_logits: Tensor, labels: Tensor,
                defect_class: int) -> Tensor:
        """
        Args:
            masked_logits: ``(N, K)`` class logits of the erased images.
            labels: ``(N,)`` GT image labels.
            defect_class: index of the defect class in the logits.

        Returns:
            Scalar: mean softmax probability of the defect class over the defect
            images, in [0, 1]; 0 (still attached to the graph) when the batch has
            no defect image.
        """
        scores = masked_logits.float().softmax(dim=1)[:, defect_class]
        is_defect = (labels == defect_class).to(scores)
        return (scores * is_defect).sum() / is_defect.sum().clamp(min=1.0)
