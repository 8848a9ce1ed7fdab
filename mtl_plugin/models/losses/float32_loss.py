"""Run any registered loss in float32 with autocast off (mixed-precision safety)."""
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from mtl_plugin.registry import MODELS


def _to_float32(value: Any) -> Any:
    """Half / bfloat16 tensors as float32; anything else unchanged."""
    if isinstance(value, Tensor) and value.dtype in (torch.float16,
                                                     torch.bfloat16):
        return value.float()
    return value


@MODELS.register_module()
class Float32Loss(nn.Module):
    """Compute the wrapped loss in float32 with autocast disabled.

    Why a wrapper: mmcv's compiled ``sigmoid_focal_loss``, which mmdet's
    ``FocalLoss`` calls for CUDA tensors, has no bfloat16 kernel, so an FCOS
    (or RetinaNet) head with ``FocalLoss`` fails under bf16 autocast; under
    fp16 the same sums over 10^4-10^6 locations lose precision. mmdet's losses
    are right otherwise, so they are reused unchanged: this module only casts
    the float16 / bfloat16 tensor arguments to float32 and switches autocast
    off around the call. Its value therefore equals the wrapped loss on
    float32 inputs, and gradients flow back through the cast to the
    half-precision predictions (in their dtype).

    Config: the wrapped loss's keys stay at the top level, next to
    ``loss_type``, because mmdet heads read some of them from the config dict
    itself (``loss_cls.get('use_sigmoid')`` decides the number of output
    channels). A derived config therefore switches a loss with one key::

        loss_cls=dict(type='Float32Loss', loss_type='FocalLoss',
                      use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)

    Attributes of the wrapped loss (``use_sigmoid``, ``loss_weight``,
    ``custom_activation``, ``get_activation`` ...) are reachable on the
    wrapper, as the heads expect.

    Args:
        loss_type: registered name of the wrapped loss (``'FocalLoss'``,
            ``'GIoULoss'``, ...).
        **loss_kwargs: arguments of the wrapped loss.
    """

    def __init__(self, loss_type: str, **loss_kwargs) -> None:
        super().__init__()
        if loss_type == 'Float32Loss':
            raise ValueError('Float32Loss: loss_type must name the wrapped '
                             "loss (e.g. 'FocalLoss'), not Float32Loss")
        try:
            self.loss = MODELS.build(dict(type=loss_type, **loss_kwargs))
        except KeyError as exc:
            raise KeyError(f'Float32Loss: loss_type={loss_type!r} is not a '
                           f'registered loss ({exc})') from exc

    def forward(self, *args, **kwargs) -> Tensor:
        """The wrapped loss's ``forward`` with float32 tensors, autocast off
        on the device of the first tensor argument."""
        args = [_to_float32(a) for a in args]
        kwargs = {k: _to_float32(v) for k, v in kwargs.items()}
        device = next((a.device.type for a in list(args) + list(kwargs.values())
                       if isinstance(a, Tensor)), 'cpu')
        with torch.autocast(device_type=device, enabled=False):
            return self.loss(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            # Only once the wrapped loss exists (copy/pickle probe attributes
            # of a half-built instance).
            modules = self.__dict__.get('_modules')
            if modules is None or 'loss' not in modules:
                raise
            return getattr(modules['loss'], name)
