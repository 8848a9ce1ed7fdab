"""PCGrad gradient surgery (Yu et al., "Gradient Surgery for Multi-Task
Learning", NeurIPS 2020), written here because torchjd is not a dependency."""
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor

from mtl_plugin.registry import MODELS

from .fixed_weight_balancer import FixedWeightBalancer


def pcgrad_combine(grads: Sequence[Tensor],
                   generator: Optional[torch.Generator] = None,
                   shuffle: bool = True) -> Tensor:
    """Project conflicting task gradients and sum them.

    For each task ``i`` (gradient ``g_i``), for every other task ``j`` in
    random order: if ``g_i . g_j < 0``, ``g_i <- g_i - (g_i . g_j) / |g_j|^2
    g_j``. The projected gradients are summed.

    Args:
        grads: ``K`` flattened gradients ``(P,)`` of the shared parameters.
        generator: random source of the projection order.
        shuffle: False uses the order ``j = 0..K-1`` (for tests).

    Returns:
        ``(P,)`` combined gradient.
    """
    stacked = torch.stack(list(grads))
    projected = stacked.clone()
    k = stacked.shape[0]
    for i in range(k):
        order = (torch.randperm(k, generator=generator).tolist()
                 if shuffle else list(range(k)))
        for j in order:
            if j == i:
                continue
            dot = torch.dot(projected[i], stacked[j])
            if dot < 0:
                projected[i] -= dot / stacked[j].pow(2).sum().clamp_min(
                    1e-20) * stacked[j]
    return projected.sum(0)


@MODELS.register_module()
class PCGradBalancer(FixedWeightBalancer):
    """Fixed per-task loss weights plus PCGrad on the shared parameters.

    PCGrad needs one gradient per task on the shared parameters (backbone
    and neck), which a loss dict cannot carry. The choice: with
    ``needs_task_gradients`` the model's ``train_step`` runs the forward pass
    and calls :meth:`BaseTaskBalancer.update_params` with the loss dict and
    the shared parameters; that takes the per-task gradients, back-propagates
    the summed loss through the optimizer wrapper (so heads get their own
    gradients, AMP scaling and gradient clipping still apply) and overwrites
    the shared parameters' ``.grad`` with :meth:`combine` before the
    wrapper's step. Working through the given wrapper rather than a custom
    OptimWrapper keeps every mmengine wrapper (AMP, clipping) usable.
    Costs one extra backward per task through the shared trunk; gradient
    accumulation is not supported.

    Args:
        task_names: loss-key prefixes of the tasks.
        weights: fixed ``{task: weight}`` applied before the surgery.
        seed: seed of the random projection order.
        task_warmup: see :class:`BaseTaskBalancer`.
    """

    needs_task_gradients = True

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 weights: Optional[Dict[str, float]] = None,
                 seed: int = 0,
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        # Fixed per-task weights scale each task's gradient before projection.
        super().__init__(task_names, weights, task_warmup, init_cfg)
        self.generator = torch.Generator().manual_seed(seed)

    def combine(self, task_grads: List[List[Optional[Tensor]]],
                params: List[Tensor]) -> List[Tensor]:
        """Combine per-task gradients of ``params``.

        Args:
            task_grads: for each task, the gradient of each param (None where
                the task does not reach it, e.g. a stop-gradient head).
            params: the shared parameters.

        Returns:
            one combined gradient per parameter.
        """
        flat = []
        for grads in task_grads:
            flat.append(torch.cat([
                (g if g is not None else torch.zeros_like(p)).reshape(-1)
                for g, p in zip(grads, params)
            ]))
        combined = pcgrad_combine(flat, generator=self.generator)
        out, offset = [], 0
        for p in params:
            n = p.numel()
            out.append(combined[offset:offset + n].view_as(p))
            offset += n
        return out
