"""The verdict of ``overfit``: what a learning curve on a few samples says.

:func:`judge_overfit` is pure: it reads an :class:`OverfitCurve` (training
losses and per-task eval-mode metrics over the iterations) and, when the
targets were missed, the same samples' metrics with the model in train mode,
and returns the findings. The verdicts, in the order they are tried:

* PASS (INFO): every task met its target: the loop, losses and heads can
  learn, so a run stuck at a low metric has a data / validation problem.
* the targets are met in train mode (BatchNorm batch statistics) but not in
  eval mode: the running statistics are at fault (ERROR, e.g. extra
  train-time passes on masked images pollute them), or the run was shorter
  than a slow BatchNorm momentum needs (WARNING with the iterations to rerun
  with).
* FAIL but learning (ERROR): the loss at least halved and every task got
  half-way to its target: the loop works, this model needs more iterations
  or another lr.
* FAIL (ERROR): no such progress: the training loop, loss or head wiring is
  broken.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from .findings import ERROR, INFO, WARNING, Finding

DEFAULT_TARGETS = dict(seg=0.9, det=0.9, cls=1.0)
# Metric keys per task, first match wins (prefix-agnostic).
_KEY_PATTERNS = dict(
    seg=[r'(^|/)mIoU$', r'(^|/)(loc_)?iou$'],
    det=[r'(^|/)bbox_mAP$', r'(^|/)mAP$'],
    cls=[r'(^|/)top1$', r'(^|/)accuracy$', r'(^|/)acc$'])

TaskValue = Optional[Tuple[str, float]]


def task_metric(metrics: Dict[str, float], task: str) -> TaskValue:
    """``(key, value as a fraction)`` of a task's headline metric, or None."""
    for pattern in _KEY_PATTERNS[task]:
        for key, value in metrics.items():
            if re.search(pattern, key):
                value = float(value)
                # mmseg / mmpretrain report percent.
                return key, value / 100 if value > 1.0 + 1e-6 else value
    return None


def meets_target(value: float, target: float) -> bool:
    """A target of 1.0 (or more) must be reached, a lower one exceeded."""
    return value >= target - 1e-9 if target >= 1.0 else value > target


@dataclass
class OverfitCurve:
    """What an overfit run measured.

    Attributes:
        tasks: the tasks judged (``'seg'``, ``'det'``, ``'cls'``).
        targets: target per task (fraction).
        losses: ``(iteration, training loss)`` after each iteration.
        evals: ``(iteration, {task: (metric key, fraction) or None}, all
            metrics)`` after each validation (model in eval mode).
    """
    tasks: List[str]
    targets: Dict[str, float]
    losses: List[Tuple[int, float]] = field(default_factory=list)
    evals: List[Tuple[int, Dict[str, TaskValue], Dict[str, float]]] = \
        field(default_factory=list)

    def add_eval(self, iteration: int, metrics: Dict[str, float]) -> bool:
        """Record one validation; return whether every task met its target."""
        values = {t: task_metric(metrics, t) for t in self.tasks}
        self.evals.append((iteration, values, dict(metrics)))
        return self.passed

    def meets(self, values: Dict[str, TaskValue]) -> bool:
        return all(v is not None and meets_target(v[1], self.targets[t])
                   for t, v in values.items())

    @property
    def passed(self) -> bool:
        """The last validation met every target (training stops there)."""
        return bool(self.evals) and self.meets(self.evals[-1][1])

    def progress(self) -> Dict[str, Tuple[float, float]]:
        """``{task: (first, best)}`` eval-mode metric for the tasks measured at
        every validation (empty with fewer than two validations)."""
        if len(self.evals) < 2:
            return {}
        out = {}
        for t in self.tasks:
            values = [e[1].get(t) for e in self.evals]
            if any(v is None for v in values):
                continue
            out[t] = (values[0][1], max(v[1] for v in values))
        return out


def _rounded(values: Dict[str, TaskValue]) -> Dict[str, Optional[float]]:
    return {t: (round(v[1], 4) if v else None) for t, v in values.items()}


def judge_overfit(curve: OverfitCurve, max_iters: int, num_samples: int,
                  train_mode: Optional[Dict[str, float]] = None,
                  bn_momentum: Optional[float] = None) -> List[Finding]:
    """Findings of an overfit run (see the module docstring).

    Args:
        curve: the measured curve.
        max_iters: the iteration budget of the run.
        num_samples: how many samples were memorised.
        train_mode: metrics of the same samples with the model in train mode
            (measured only when the run did not pass).
        bn_momentum: the smallest BatchNorm momentum of the model (None: no
            BatchNorm, or cumulative averages).
    """
    findings: List[Finding] = []
    last = curve.evals[-1][1] if curve.evals else {}
    missing = [t for t, v in last.items() if v is None]
    if missing:
        findings.append(Finding(
            ERROR, 'overfit', f'no metric found for task(s) {missing} in the '
            f'evaluator results {sorted(curve.evals[-1][2])}'))
    if curve.passed:
        findings.append(Finding(
            INFO, 'overfit', f'PASS at iter {curve.evals[-1][0]}: the training '
            'loop can learn; look at data / validation next'))
        return findings
    values = ({t: task_metric(train_mode, t) for t in curve.tasks}
              if train_mode is not None else None)
    if values is not None and curve.meets(values):
        shown = _rounded(values)
        iters = curve.evals[-1][0] if curve.evals else max_iters
        if bn_momentum is not None and iters < 3 / bn_momentum:
            findings.append(Finding(
                WARNING, 'train vs eval mode',
                f'the loop learns: in train mode (batch statistics) the samples '
                f'are fitted ({shown}), but BatchNorm momentum {bn_momentum} '
                f'needs ~{int(3 / bn_momentum)} iterations for the running '
                f'statistics to converge and only {iters} ran: rerun with '
                f'--max-iters {int(5 / bn_momentum)} to judge eval mode'))
        else:
            findings.append(Finding(
                ERROR, 'train vs eval mode',
                f'in train mode the model fits the samples ({shown}) but not in '
                f'eval mode after {iters} iterations: BatchNorm running '
                'statistics (or dropout) do not match the training batches, e.g. '
                'extra forward passes in train mode (masked / counterfactual '
                'images) update the running statistics, or norm layers are '
                'frozen'))
        return findings
    gaps = {t: (v[1], last[t][1]) for t, v in (values or {}).items()
            if v is not None and last.get(t) is not None
            and v[1] >= 0.5 and last[t][1] < 0.5 * v[1]}
    if gaps:
        findings.append(Finding(
            WARNING, 'train vs eval mode', 'train-mode vs eval-mode metric '
            f'{ {t: (round(a, 3), round(b, 3)) for t, (a, b) in gaps.items()} }'
            ': the model predicts much better with batch statistics; check '
            'BatchNorm running statistics / norm_eval'))
    progress = curve.progress()
    losses = [v for _, v in curve.losses]
    loss_fell = len(losses) >= 2 and losses[-1] < 0.5 * losses[0]
    head = (f'FAIL: targets not reached in {max_iters} iterations on '
            f'{num_samples} samples (last: {_rounded(last)}')
    if loss_fell and progress and all(
            best >= 0.5 * curve.targets[t] for t, (_, best) in progress.items()):
        findings.append(Finding(
            ERROR, 'overfit', f'{head}), but the model learns (first -> best '
            f'eval: { {t: (round(a, 3), round(b, 3)) for t, (a, b) in progress.items()} }'
            '): the loop, loss and heads work; this model needs more '
            'iterations (raise --max-iters) or another lr (--lr) to memorise '
            'the samples'))
    else:
        findings.append(Finding(
            ERROR, 'overfit', f'{head}, also in train mode): the training loop, '
            'loss or head wiring is broken (or raise --max-iters / --lr)'))
    return findings
