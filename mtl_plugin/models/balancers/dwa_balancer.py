"""Dynamic Weight Average (Liu, Johns and Davison, CVPR 2019, MTAN)."""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor

from mtl_plugin.registry import MODELS

from .base_task_balancer import BaseTaskBalancer


@MODELS.register_module()
class DWABalancer(BaseTaskBalancer):
    """Weights from the rate at which each task's loss falls.

    ``w_t(k) = K * exp(r_t(k-1) / T) / sum_j exp(r_j(k-1) / T)`` with
    ``r_t(k-1) = L_t(k-1) / L_t(k-2)``, where ``L_t(k)`` is the mean loss of
    task ``t`` over period ``k`` and ``K`` the number of tasks. The paper uses
    epochs as periods; here a period is ``period`` training iterations (set it
    to the epoch length to reproduce the paper). During the first two periods
    every weight is 1, as in the paper. The loss averages are buffers, so the
    weights resume with a checkpoint.

    Args:
        task_names: loss-key prefixes of the tasks.
        temperature: ``T`` (the paper uses 2).
        period: iterations per averaging period.
        task_warmup: see :class:`BaseTaskBalancer`.
    """

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 temperature: float = 2.0,
                 period: int = 100,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(task_names, task_warmup, init_cfg)
        if period < 1 or temperature <= 0:
            raise ValueError(f'DWABalancer needs period >= 1 and temperature '
                             f'> 0, got period={period}, '
                             f'temperature={temperature}')
        self.temperature = float(temperature)
        self.period = int(period)
        n = len(self.task_names)
        # Running sum of the current period; means of the last two periods
        # (row 0 = k-2, row 1 = k-1); number of completed periods.
        self.register_buffer('_sum', torch.zeros(n, dtype=torch.float64))
        self.register_buffer('_count', torch.zeros((), dtype=torch.long))
        self.register_buffer('_history', torch.zeros(2, n, dtype=torch.float64))
        self.register_buffer('_periods', torch.zeros((), dtype=torch.long))

    def current_weights(self) -> Tensor:
        """``(K,)`` weights from the completed periods (ones before two)."""
        n = len(self.task_names)
        if int(self._periods) < 2:
            return torch.ones(n, dtype=torch.float64)
        ratio = self._history[1] / self._history[0].clamp_min(1e-12)
        return n * torch.softmax(ratio / self.temperature, dim=0)

    def raw_weights(self, task_losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        weights = self.current_weights()
        if self.training:
            self._record(task_losses)
        return {t: weights[self.task_names.index(t)].float().to(v.device)
                for t, v in task_losses.items()}

    @torch.no_grad()
    def _record(self, task_losses: Dict[str, Tensor]) -> None:
        for t, v in task_losses.items():
            self._sum[self.task_names.index(t)] += float(v.detach())
        self._count += 1
        if int(self._count) == self.period:
            self._history[0] = self._history[1].clone()
            self._history[1] = self._sum / self.period
            self._sum.zero_()
            self._count.zero_()
            self._periods += 1
