"""GradNorm (Chen, Badrinarayanan, Lee and Rabinovich, ICML 2018)."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.optim import OptimWrapper
from torch import Tensor

from mtl_plugin.registry import MODELS

from .base_task_balancer import BaseTaskBalancer, task_gradients


def grad_norm(grads: Sequence[Optional[Tensor]]) -> float:
    """L2 norm of a list of gradients (None counts as zero)."""
    return float(sum(g.double().pow(2).sum() for g in grads
                     if g is not None)) ** 0.5


def gradnorm_target_weights(grad_norms: Tensor, loss_ratios: Tensor,
                            alpha: float) -> Tensor:
    """Weights at which GradNorm's gradient loss is zero.

    GradNorm asks for ``w_i * n_i = G_bar * r_i ** alpha`` for every task
    ``i``, where ``n_i`` is the norm of task ``i``'s unweighted gradient on
    the shared parameters, ``r_i`` its relative inverse training rate and
    ``G_bar`` the mean weighted norm; with ``sum_i w_i = K`` the solution is
    ``w_i = K * (r_i ** alpha / n_i) / sum_j (r_j ** alpha / n_j)``.

    Args:
        grad_norms: ``(K,)`` positive norms ``n_i``.
        loss_ratios: ``(K,)`` positive ``r_i`` (mean 1).
        alpha: asymmetry ``alpha`` (0: equal gradient norms).

    Returns:
        ``(K,)`` weights summing to ``K``.
    """
    inv = loss_ratios.pow(alpha) / grad_norms.clamp_min(1e-12)
    return grad_norms.numel() * inv / inv.sum()


@MODELS.register_module()
class GradNormBalancer(BaseTaskBalancer):
    """Task weights that bring every task's gradient norm on the shared
    layers to a common value, scaled by how far behind the task is.

    Written here because mmengine and torchjd offer no GradNorm for an
    mmengine model. Each iteration, with ``n_i = |grad_W L_i|`` (unweighted
    task loss, ``W`` the last shared layer), ``L~_i = L_i / L_i(0)`` and
    ``r_i = L~_i / mean_j L~_j``, GradNorm drives ``w_i n_i`` towards
    ``mean_j(w_j n_j) * r_i ** alpha`` with ``sum_i w_i = K``. The paper
    takes gradient steps on the L1 gap between the two; its minimum has the
    closed form of :func:`gradnorm_target_weights`, and this balancer moves
    the weights towards it by an exponential moving average
    (``w <- momentum * w + (1 - momentum) * w*``). The choice: the paper's
    step size on ``w`` depends on the gradient scale (here the
    classification gradient is ~40x segmentation's on the shared layers),
    one momentum does not.

    The model's ``train_step`` calls :meth:`update_params` (the balancer
    sets ``needs_task_gradients``): the norms are taken on the last
    ``num_last_shared`` shared parameter tensors (the paper's "last shared
    layer", which keeps the extra backward passes short) or on all of them,
    then the weighted loss is back-propagated once as usual. The weights
    multiply the task losses (heads included) from the next iteration on;
    they are buffers (they resume with a checkpoint) and are logged as
    ``weight_<task>``. Tasks whose shared gradient is zero (a stop-gradient
    head, a task still in its warm-up) keep their weight.

    Args:
        task_names: loss-key prefixes of the tasks.
        alpha: asymmetry (the paper uses 0.12 - 3; 0 equalises the norms).
        momentum: EMA factor in [0, 1) of the weight update (0: jump to the
            closed-form weights every iteration).
        num_last_shared: number of trailing tensors of the model's shared
            parameters the norms are taken on (None: all of them).
        task_warmup: see :class:`BaseTaskBalancer`.
    """

    needs_task_gradients = True

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 alpha: float = 1.5,
                 momentum: float = 0.9,
                 num_last_shared: Optional[int] = None,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(task_names, task_warmup, init_cfg)
        if alpha < 0 or not 0 <= momentum < 1:
            raise ValueError(f'GradNormBalancer needs alpha >= 0 and 0 <= '
                             f'momentum < 1, got alpha={alpha}, '
                             f'momentum={momentum}')
        if num_last_shared is not None and num_last_shared < 1:
            raise ValueError(f'GradNormBalancer num_last_shared must be None '
                             f'or >= 1, got {num_last_shared}')
        self.alpha = float(alpha)
        self.momentum = float(momentum)
        self.num_last_shared = num_last_shared
        n = len(self.task_names)
        self.register_buffer('weights', torch.ones(n))
        # L_i(0); NaN until the task is first seen in training.
        self.register_buffer('initial_losses', torch.full((n, ), float('nan')))
        self._current: Dict[str, float] = {}
        self._applied: Dict[str, float] = {}

    def raw_weights(self, task_losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        out = {}
        self._current = {}
        for t, v in task_losses.items():
            i = self.task_names.index(t)
            loss = float(v.detach())
            if self.training and torch.isnan(self.initial_losses[i]):
                self.initial_losses[i] = loss
            self._current[t] = loss
            out[t] = self.weights[i].to(v.device)
        return out

    def forward(self, losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        out = super().forward(losses)
        # weight * warm-up factor, to recover unweighted gradient norms.
        self._applied = {t: float(out[f'weight_{t}']) for t in self._current}
        return out

    @torch.no_grad()
    def update(self, weighted_norms: Dict[str, float]) -> None:
        """One GradNorm step from the norms of the *weighted* task gradients.

        Args:
            weighted_norms: ``{task: |grad_W (w_t L_t)|}`` of the iteration
                whose losses :meth:`forward` saw last.
        """
        tasks = [t for t, g in weighted_norms.items()
                 if g > 0 and self._applied.get(t, 0) > 0]
        if len(tasks) < 2:
            return
        idx = [self.task_names.index(t) for t in tasks]
        norms = torch.tensor([weighted_norms[t] / self._applied[t]
                              for t in tasks])
        rel = torch.tensor([self._current[t] for t in tasks]) / \
            self.initial_losses[idx].clamp_min(1e-12)
        ratios = rel / rel.mean()
        # The updated tasks share the weight mass they hold now, so a frozen
        # (stop-gradient) task's weight is left untouched.
        mass = float(self.weights[idx].sum())
        target = gradnorm_target_weights(norms, ratios, self.alpha)
        target = target * mass / len(tasks)
        self.weights[idx] = (self.momentum * self.weights[idx] +
                             (1 - self.momentum) * target)

    def update_params(self, losses: Dict[str, Tensor], total: Tensor,
                      shared: List[Tensor],
                      optim_wrapper: OptimWrapper) -> None:
        """Update the weights from this iteration's norms, then one
        ordinary optimizer step on ``total``.

        Args:
            losses: the model's balanced, prefixed loss dict (this
                balancer's output).
            total: their sum (mmengine's ``parse_losses``).
            shared: the shared parameters that require gradients.
            optim_wrapper: the runner's wrapper (AMP scaling, clipping).
        """
        params = (shared if self.num_last_shared is None else
                  shared[-self.num_last_shared:])
        grads = task_gradients(losses, self.task_names, params, optim_wrapper)
        self.update({t: grad_norm(g) for t, g in grads.items()})
        optim_wrapper.update_params(total)
