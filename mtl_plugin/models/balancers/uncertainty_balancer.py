"""Homoscedastic-uncertainty task weighting (Kendall, Gal and Cipolla, CVPR 2018)."""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from mtl_plugin.registry import MODELS

from .base_task_balancer import BaseTaskBalancer


@MODELS.register_module()
class UncertaintyBalancer(BaseTaskBalancer):
    """Learned log-variances ``s_t = log sigma_t^2``, one per task.

    ``L = sum_t exp(-s_t) * L_t + s_t``: the weight of task ``t`` is
    ``exp(-s_t)`` and ``s_t`` is added as the regulariser that stops the
    weights from collapsing to 0. This is the common form of Kendall et al.'s
    objective with the paper's factor 1/2 (regression) absorbed in ``s_t``;
    it is what most public ports implement. The regulariser is returned as
    ``<task>_loss_logvar`` so that it is summed and logged with its task.
    The ``s_t`` are model parameters: give them their own learning rate with
    ``paramwise_cfg=dict(custom_keys={'balancer': dict(lr_mult=...)})``.

    Args:
        task_names: loss-key prefixes of the tasks.
        init_log_vars: ``{task: s_t at start}`` (default 0, i.e. weight 1).
        task_warmup: see :class:`BaseTaskBalancer`; the ramp scales both the
            weighted loss and the regulariser of the task.
    """

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 init_log_vars: Optional[Dict[str, float]] = None,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(task_names, task_warmup, init_cfg)
        init = dict(init_log_vars or {})
        self.log_vars = nn.ParameterDict({
            t: nn.Parameter(torch.tensor(float(init.get(t, 0.0))))
            for t in self.task_names
        })
        self._present = list(self.task_names)

    def raw_weights(self, task_losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        self._present = list(task_losses)
        return {t: torch.exp(-self.log_vars[t]) for t in task_losses}

    def extra_losses(self, factors: Dict[str, float]) -> Dict[str, Tensor]:
        return {f'{t}_loss_logvar': self.log_vars[t] * factors[t]
                for t in self._present}
