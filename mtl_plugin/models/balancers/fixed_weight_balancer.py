"""Fixed task weights (the usual hand-tuned weighted sum)."""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor

from mtl_plugin.registry import MODELS

from .base_task_balancer import BaseTaskBalancer


@MODELS.register_module()
class FixedWeightBalancer(BaseTaskBalancer):
    """``L = sum_t w_t * L_t`` with constant ``w_t``.

    Args:
        task_names: loss-key prefixes of the tasks.
        weights: ``{task: weight}``; tasks not listed get 1.0.
        task_warmup: see :class:`BaseTaskBalancer`.
    """

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 weights: Optional[Dict[str, float]] = None,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(task_names, task_warmup, init_cfg)
        weights = dict(weights or {})
        unknown = set(weights) - set(self.task_names)
        if unknown:
            raise KeyError(f'weights name unknown tasks {sorted(unknown)}; '
                           f'tasks are {self.task_names}')
        self.weights = {t: float(weights.get(t, 1.0)) for t in self.task_names}

    def raw_weights(self, task_losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        return {t: torch.tensor(self.weights[t]) for t in task_losses}
