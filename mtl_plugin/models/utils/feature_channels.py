"""Channels of the feature levels a built module returns, for models that fill
their heads' ``in_channels`` from the backbone they built (as mmdet detectors
complete their head configs), so that a config names a backbone once and no
channel count."""
import copy
from typing import List, Sequence

import torch
from torch import Tensor, nn

#: side of the square zero image the probe runs (stride 32 still gives 2x2)
PROBE_SIZE = 64


@torch.no_grad()
def probe_levels(module: nn.Module, inputs: Sequence) -> List[Tensor]:
    """The levels ``module(*inputs)`` returns (a tensor counts as one level),
    each ``(1, C_i, h_i, w_i)``, from a pass in eval mode (batch-norm
    statistics untouched, no dropout, no random numbers drawn); the module
    is put back in the mode it was in.

    Args:
        module: e.g. a backbone or a neck.
        inputs: its positional inputs, e.g. ``(probe_image(), )``.
    """
    was_training = module.training
    module.eval()
    try:
        out = module(*inputs)
    finally:
        module.train(was_training)
    return [out] if isinstance(out, Tensor) else list(out)


def probe_image(in_channels: int = 3) -> Tensor:
    """A ``(1, in_channels, PROBE_SIZE, PROBE_SIZE)`` zero image."""
    return torch.zeros(1, in_channels, PROBE_SIZE, PROBE_SIZE)


def fill_in_channels(cfg: dict, key: str, channels, owner: str,
                     source: str) -> dict:
    """A copy of ``cfg`` with ``cfg[key] = channels`` filled in.

    A config that states ``key`` must state ``channels``: a different value
    is a ``ValueError`` naming ``owner.key``, both values and the ``source``
    of the measured one (it would fail later as a shape error in the first
    forward pass).
    """
    cfg = copy.deepcopy(dict(cfg))
    given = cfg.get(key)
    if given is not None and (list(given) if isinstance(given, (list, tuple))
                              else given) != channels:
        raise ValueError(
            f'{owner}.{key}={given} but the {source} gives {channels}; '
            f'remove {key} from the config (it is filled in) or set it to '
            f'{channels}')
    cfg[key] = channels
    return cfg
