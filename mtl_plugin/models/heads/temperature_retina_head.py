"""RetinaNet head with a temperature on the object logits, for dense retail scenes.

mmdet's :class:`RetinaHead` already is the shared head the retail detector
needs (stacked conv3x3 + norm + ReLU towers, one shared across FPN levels); the
only thing it lacks is a temperature on the classification logits. It is
applied inside the head, so training (sigmoid BCE on ``logit / T``) and
inference (score ``sigmoid(logit / T)``) see the same calibrated score; a
temperature inside the loss only would leave test-time scores uncalibrated
against ``score_thr``.
"""
from typing import Tuple

from mmdet.models.dense_heads import RetinaHead
from torch import Tensor

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class TemperatureRetinaHead(RetinaHead):
    """:class:`RetinaHead` whose class logits are divided by ``cls_temperature``.

    Args:
        cls_temperature: positive divisor of the classification logits
            (``1.0`` = plain RetinaHead). ``> 1`` softens the scores.
        *args, **kwargs: :class:`RetinaHead` arguments (``stacked_convs``,
            ``norm_cfg``, ``anchor_generator``, losses, ...).
    """

    def __init__(self, *args, cls_temperature: float = 1.0, **kwargs) -> None:
        if cls_temperature <= 0:
            raise ValueError('TemperatureRetinaHead: cls_temperature must be '
                             f'> 0, got {cls_temperature}')
        super().__init__(*args, **kwargs)
        self.cls_temperature = float(cls_temperature)

    def forward_single(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """One FPN level ``(B, C, H, W)`` -> class logits ``(B, A * num_classes,
        H, W)`` (already divided by the temperature) and box deltas
        ``(B, A * 4, H, W)``."""
        cls_score, bbox_pred = super().forward_single(x)
        return cls_score / self.cls_temperature, bbox_pred
