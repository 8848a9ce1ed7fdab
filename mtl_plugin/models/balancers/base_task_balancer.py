"""Base class of the task balancers of multi-task models.

A balancer turns the per-task losses of one iteration into weighted losses.
Every balancer shares the mechanisms implemented here:

* **task grouping**: a model's loss dict holds prefixed keys
  (``seg_loss_ce``, ``det_loss_cls``, ``det_loss_bbox``, ``cls_loss``); the
  prefix before the first ``_`` names the task, and all loss terms of a task
  are scaled by that task's weight.
* **per-task warm-up**: ``task_warmup=dict(det=dict(begin=100, ramp=200))``
  keeps the task's weight at 0 for the first ``begin`` iterations and ramps
  it linearly to its full value over the next ``ramp`` iterations.
* **gradient combination** (balancers with ``needs_task_gradients``, e.g.
  PCGrad): :meth:`BaseTaskBalancer.update_params` does the backward pass and
  the optimizer step, replacing the shared parameters' gradients by
  :meth:`~BaseTaskBalancer.combine` of the per-task ones; the model's
  ``train_step`` only runs the forward pass and calls it. Balancers that
  need another step (GradNorm, IMTL-G) override it and take the per-task
  gradients with :func:`task_gradients`.

The weights actually applied are returned as non-loss entries
``weight_<task>`` of the loss dict: mmengine's ``parse_losses`` sums only keys
containing ``'loss'`` and logs every other key, so the current weights appear
in the training log (and TensorBoard) next to the losses.
"""
from abc import abstractmethod
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule
from mmengine.optim import OptimWrapper
from torch import Tensor


def task_of(loss_key: str) -> str:
    """Task name of a prefixed loss key (``'det_loss_bbox'`` -> ``'det'``)."""
    return loss_key.split('_', 1)[0]


def group_task_losses(losses: Dict[str, Tensor],
                      task_names: Sequence[str]) -> Dict[str, Tensor]:
    """Sum the loss terms (keys containing ``'loss'``) of each task.

    Args:
        losses: prefixed loss dict; values are scalar tensors or lists of them.
        task_names: tasks to group; a key whose prefix is not one of them
            raises, since its loss would otherwise escape the balancer.

    Returns:
        ``{task: scalar tensor}`` for the tasks present in ``losses``.
    """
    grouped: Dict[str, Tensor] = {}
    for key, value in losses.items():
        if 'loss' not in key:
            continue
        task = task_of(key)
        if task not in task_names:
            raise KeyError(f'loss key {key!r} has task prefix {task!r}, which '
                           f'is not one of the balancer tasks {list(task_names)}')
        total = sum(value) if isinstance(value, (list, tuple)) else value
        grouped[task] = grouped[task] + total if task in grouped else total
    return grouped


def task_gradients(losses: Dict[str, Tensor], task_names: Sequence[str],
                   params: Sequence[Tensor], optim_wrapper: OptimWrapper
                   ) -> Dict[str, List[Optional[Tensor]]]:
    """Gradient of every task's (weighted) loss on ``params``.

    ``torch.autograd.grad`` with ``retain_graph``, so the caller can still
    back-propagate through the same graph; each loss is AMP-scaled like the
    wrapper's ``backward`` when the wrapper has a loss scaler.

    Args:
        losses: balanced, prefixed loss dict (a balancer's output).
        task_names: the balancer's tasks (loss-key prefixes).
        params: parameters to differentiate (e.g. the shared ones).
        optim_wrapper: the runner's wrapper; gradient accumulation is
            refused (the per-task gradients would mix iterations).

    Returns:
        ``{task: [grad or None per param]}`` in the order of the grouped
        losses (None where the task does not reach a parameter).
    """
    if getattr(optim_wrapper, '_accumulative_counts', 1) != 1:
        raise ValueError('balancers with needs_task_gradients do not '
                         'support accumulative_counts > 1')
    scaler = getattr(optim_wrapper, 'loss_scaler', None)
    grads = {}
    for task, value in group_task_losses(losses, task_names).items():
        if scaler is not None:
            value = scaler.scale(value)
        grads[task] = list(torch.autograd.grad(
            value, list(params), retain_graph=True, allow_unused=True))
    return grads


class BaseTaskBalancer(BaseModule):
    """Common logic of the balancers (see the module docstring).

    Subclasses implement :meth:`raw_weights` and may add extra loss terms
    through :meth:`extra_losses`.

    Args:
        task_names: names of the tasks, i.e. the loss-key prefixes.
        task_warmup: ``{task: dict(begin=int, ramp=int)}`` (iterations).
        init_cfg: mmengine init config.
    """

    #: True for balancers that combine per-task gradients: the model then
    #: calls :meth:`update_params` instead of the wrapper's.
    needs_task_gradients = False

    def __init__(self,
                 task_names: Sequence[str] = ('seg', 'det', 'cls'),
                 task_warmup: Optional[Dict[str, Dict[str, int]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.task_names: List[str] = list(task_names)
        self.task_warmup = dict(task_warmup or {})
        for task, cfg in self.task_warmup.items():
            if task not in self.task_names:
                raise KeyError(f'task_warmup names task {task!r}, not one of '
                               f'{self.task_names}')
            unknown = set(cfg) - {'begin', 'ramp'}
            if unknown:
                raise KeyError(f'task_warmup[{task!r}] has unknown keys '
                               f'{sorted(unknown)}; expected begin and ramp')
        # Training iterations seen; a buffer so that it resumes with the model.
        self.register_buffer('iteration', torch.zeros((), dtype=torch.long))

    def warmup_factor(self, task: str, iteration: int) -> float:
        """Ramp factor in [0, 1] of ``task`` at ``iteration``."""
        cfg = self.task_warmup.get(task)
        if cfg is None:
            return 1.0
        begin, ramp = int(cfg.get('begin', 0)), int(cfg.get('ramp', 0))
        if iteration < begin:
            return 0.0
        if ramp <= 0:
            return 1.0
        return min(1.0, (iteration - begin + 1) / ramp)

    @abstractmethod
    def raw_weights(self, task_losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Weight of each task before warm-up (scalar tensors)."""

    def extra_losses(self, factors: Dict[str, float]) -> Dict[str, Tensor]:
        """Additional loss terms (e.g. uncertainty regularisers)."""
        return {}

    def update_params(self, losses: Dict[str, Tensor], total: Tensor,
                      shared: List[Tensor],
                      optim_wrapper: OptimWrapper) -> None:
        """Backward pass and one optimizer step with the shared parameters'
        gradients replaced by :meth:`combine` of the per-task ones.

        Called by the model's ``train_step`` instead of
        ``optim_wrapper.update_params`` when ``needs_task_gradients`` is set:
        the gradient of each task's loss on ``shared`` is taken with
        ``torch.autograd.grad`` (``retain_graph``; AMP-scaled like the
        wrapper's ``backward``), then ``total`` is back-propagated through
        the wrapper (the heads get their plain gradients) and the shared
        ``.grad`` are overwritten before the wrapper's ``step`` (which still
        clips).

        Args:
            losses: the model's balanced, prefixed loss dict (this
                balancer's output).
            total: their sum (mmengine's ``parse_losses``).
            shared: the shared parameters that require gradients.
            optim_wrapper: the runner's wrapper; its ``backward`` (AMP
                scaling), ``step`` (clipping) and ``zero_grad`` are used.
        """
        task_grads = list(task_gradients(losses, self.task_names, shared,
                                         optim_wrapper).values())
        optim_wrapper.backward(total)
        for p, g in zip(shared, self.combine(task_grads, shared)):
            p.grad = g.detach().clone()
        optim_wrapper.step()
        optim_wrapper.zero_grad()

    def combine(self, task_grads: List[List[Optional[Tensor]]],
                params: List[Tensor]) -> List[Tensor]:
        """One gradient per shared parameter from the per-task gradients
        (``task_grads[t][i]``: task ``t``, parameter ``i``; None where the
        task does not reach it). Balancers with ``needs_task_gradients``
        implement it."""
        raise NotImplementedError(f'{type(self).__name__} sets '
                                  'needs_task_gradients but has no combine()')

    def forward(self, losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Weight a prefixed loss dict.

        Args:
            losses: ``{'<task>_loss...': scalar}`` (non-loss keys are kept).

        Returns:
            the loss dict with every loss term of task ``t`` multiplied by its
            weight ``w_t * warmup_t``, plus the extra loss terms and
            ``weight_<task>`` scalars (detached) for logging.
        """
        task_losses = group_task_losses(losses, self.task_names)
        it = int(self.iteration)
        if self.training:
            self.iteration += 1
        factors = {t: self.warmup_factor(t, it) for t in task_losses}
        weights = self.raw_weights(task_losses)
        out: Dict[str, Tensor] = {}
        for key, value in losses.items():
            if 'loss' not in key:
                out[key] = value
                continue
            task = task_of(key)
            w = weights[task] * factors[task]
            out[key] = ([v * w for v in value] if isinstance(value, (list, tuple))
                        else value * w)
        out.update(self.extra_losses(factors))
        for task in task_losses:
            w = weights[task] * factors[task]
            out[f'weight_{task}'] = torch.as_tensor(
                w, dtype=torch.float32).detach().clone()
        return out
