"""IMTL-G gradient balancing (Liu et al., "Towards Impartial Multi-task
Learning", ICLR 2021)."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.optim import OptimWrapper
from torch import Tensor

from mtl_plugin.registry import MODELS

from .base_task_balancer import group_task_losses, task_gradients
from .fixed_weight_balancer import FixedWeightBalancer


def imtlg_weights(grads: Tensor) -> Tensor:
    """Closed-form IMTL-G weights of ``K`` task gradients.

    Finds ``alpha`` with ``sum_i alpha_i = 1`` such that the aggregated
    gradient ``g = sum_i alpha_i g_i`` has equal projections on every task's
    unit gradient ``u_i = g_i / |g_i|``: with ``D = [g_1 - g_j]_{j>=2}`` and
    ``U = [u_1 - u_j]_{j>=2}`` (``(K-1, P)``),
    ``alpha_{2:K} = g_1 U^T (D U^T)^{-1}`` and
    ``alpha_1 = 1 - sum_{j>=2} alpha_j``. ``D U^T`` is singular when two
    gradients are parallel; a least-squares solve then gives the
    minimum-norm answer.

    Args:
        grads: ``(K, P)`` non-zero flattened task gradients.

    Returns:
        ``(K,)`` weights summing to 1.
    """
    k = grads.shape[0]
    if k == 1:
        return grads.new_ones(1)
    g = grads.double()
    u = g / g.norm(dim=1, keepdim=True)
    d = g[:1] - g[1:]
    uu = u[:1] - u[1:]
    # alpha_{2:K} (1, K-1) solves alpha (D U^T) = g_1 U^T.
    lhs = (d @ uu.T).T
    rhs = (g[:1] @ uu.T).T
    rest = torch.linalg.lstsq(lhs, rhs).solution.reshape(-1)
    return torch.cat([1 - rest.sum(0, keepdim=True), rest]).to(grads.dtype)


@MODELS.register_module()
class IMTLGBalancer(FixedWeightBalancer):
    """IMTL-G weights on the shared layers' task gradients.

    Written here because torchjd is not a dependency and its aggregators
    do not plug into an mmengine ``OptimWrapper``. The model's
    ``train_step`` calls :meth:`update_params` (the balancer sets
    ``needs_task_gradients``): it takes every task's gradient on the shared
    parameters (all of them, or the last ``num_last_shared`` tensors, as
    the paper's cheaper variant on the last shared representation), computes
    ``alpha`` with :func:`imtlg_weights` and back-propagates
    ``sum_t alpha_t L_t`` once. With gradients on all shared parameters their
    gradient is then exactly IMTL-G's ``sum_t alpha_t g_t``: invariant to the
    scale of each task's gradient, with the same projection on every task's
    direction, so no task dominates the shared layers by magnitude (the
    classification gradient here is ~40x segmentation's). Unlike the paper,
    whose task-specific parameters follow the unscaled task loss, each head
    here sees its loss times ``alpha_t``; with Adam-type optimizers a
    per-head scale is largely normalised away, and one backward pass instead
    of two keeps the step cheap. Tasks that do not reach the shared
    parameters (stop-gradient, warm-up) keep weight 1 (their head still
    trains) and get ``alpha = 0`` in the log.

    ``alpha`` of the previous iteration is logged as ``alpha_<task>`` (one
    iteration's ``alpha`` is known only after the forward pass that logs).

    Args:
        task_names: loss-key prefixes of the tasks.
        weights: fixed ``{task: weight}`` applied to the losses before the
            gradients are taken (IMTL-G is invariant to them on the shared
            layers).
        num_last_shared: number of trailing tensors of the model's shared
            parameters the gradients are taken on (None: all of them).
        task_warmup: see :class:`BaseTaskBalancer`.
    """

    needs_task_gradients = True

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 weights: Optional[Dict[str, float]] = None,
                 num_last_shared: Optional[int] = None,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(task_names, weights, task_warmup, init_cfg)
        if num_last_shared is not None and num_last_shared < 1:
            raise ValueError(f'IMTLGBalancer num_last_shared must be None or '
                             f'>= 1, got {num_last_shared}')
        self.num_last_shared = num_last_shared
        self.register_buffer('alpha', torch.zeros(len(self.task_names)))

    def forward(self, losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        out = super().forward(losses)
        for t in [k[len('weight_'):] for k in out if k.startswith('weight_')]:
            out[f'alpha_{t}'] = self.alpha[self.task_names.index(t)].clone()
        return out

    def task_alphas(self, grads: Dict[str, List[Optional[Tensor]]],
                    params: Sequence[Tensor]) -> Dict[str, Tensor]:
        """IMTL-G ``alpha`` per task from per-task gradients of ``params``
        (0 for a task whose gradient is zero); also stored for the log."""
        tasks = list(grads)
        flat = torch.stack([torch.cat([
            (g if g is not None else torch.zeros_like(p)).reshape(-1)
            for g, p in zip(grads[t], params)]) for t in tasks])
        live = flat.norm(dim=1) > 0
        alpha = flat.new_zeros(len(tasks))
        if live.any():
            alpha[live] = imtlg_weights(flat[live])
        self.alpha.zero_()
        for t, a in zip(tasks, alpha):
            self.alpha[self.task_names.index(t)] = a
        return {t: a for t, a, ok in zip(tasks, alpha, live) if ok}

    def update_params(self, losses: Dict[str, Tensor], total: Tensor,
                      shared: List[Tensor],
                      optim_wrapper: OptimWrapper) -> None:
        """One optimizer step on ``sum_t alpha_t L_t``.

        Args:
            losses: the model's balanced, prefixed loss dict (this
                balancer's output).
            total: their sum (mmengine's ``parse_losses``); logged, not
                back-propagated.
            shared: the shared parameters that require gradients.
            optim_wrapper: the runner's wrapper (AMP scaling, clipping).
        """
        params = (shared if self.num_last_shared is None else
                  shared[-self.num_last_shared:])
        grads = task_gradients(losses, self.task_names, params, optim_wrapper)
        alphas = self.task_alphas(grads, params)
        grouped = group_task_losses(losses, self.task_names)
        objective = sum(alphas[t].to(v.dtype) * v if t in alphas else v
                        for t, v in grouped.items())
        optim_wrapper.update_params(objective)
