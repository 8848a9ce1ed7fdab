"""Hook scheduling loss weights and curriculum values during training."""
import math
from typing import Dict, List, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mtl_plugin.registry import HOOKS

CURVES = ('linear', 'cosine', 'step')


def schedule_value(progress: float, start: float, end: float,
                   begin: float = 0.0, until: float = 1.0,
                   curve: str = 'linear', num_steps: int = 4) -> float:
    """Value of one schedule at a training progress in [0, 1].

    ``start`` before ``begin``, ``end`` from ``until`` on, and in between
    (``u = (progress - begin) / (until - begin)``):

    * ``linear``: ``start + (end - start) * u``;
    * ``cosine``: ``end + (start - end) * (1 + cos(pi * u)) / 2`` (slow at both
      ends);
    * ``step``: ``start + (end - start) * floor(u * num_steps) / num_steps``
      (``num_steps`` equal jumps, the last one at ``until``).
    """
    if progress <= begin:
        return float(start)
    if progress >= until:
        return float(end)
    u = (progress - begin) / (until - begin)
    if curve == 'linear':
        return float(start + (end - start) * u)
    if curve == 'cosine':
        return float(end + (start - end) * (1 + math.cos(math.pi * u)) / 2)
    return float(start + (end - start) * math.floor(u * num_steps) / num_steps)


@HOOKS.register_module()
class LossWeightSchedulerHook(Hook):
    """Schedule loss weights (warm-ups), curriculum values (the S6 GT-fusion
    ``alpha``) and multi-stage switching within one run.

    Targets are names of the model's ``loss_weights`` (set through
    ``model.set_loss_weight``) or float attributes of the model (e.g.
    ``gt_fusion_alpha``). Training progress is ``runner.iter /
    runner.max_iters`` (``by_epoch=False``, smooth; works for epoch- and
    iteration-based loops) or ``runner.epoch / runner.max_epochs``
    (``by_epoch=True``, constant within an epoch). Values are set before every
    training iteration and logged as ``train/<name>`` scalars, so they appear in
    the log lines and TensorBoard.

    Args:
        schedules: ``{name: dict(start, end=None, begin=0.0, until=1.0,
            curve='linear', num_steps=4)}``; fractions of training; ``end=None``
            means the value the model was built with (so a derived config
            changes the weight once, in ``loss_weights``). Example, the S4
            loc warm-up and the S6 alpha decay::

                schedules=dict(
                    loc=dict(start=0.0, until=0.5),
                    gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7,
                                         curve='cosine'))
        stages: ``[dict(at=fraction, values={name: value})]``: from ``at`` on,
            the values are set (stages apply in order of ``at``; before the
            first stage the model's own values hold). A name may not be in both
            ``schedules`` and ``stages``.
        by_epoch: measure progress in epochs instead of iterations.
    """

    priority = 'NORMAL'

    def __init__(self,
                 schedules: Optional[Dict[str, dict]] = None,
                 stages: Optional[Sequence[dict]] = None,
                 by_epoch: bool = False) -> None:
        self.schedules = {k: self._check_schedule(k, dict(v))
                          for k, v in (schedules or {}).items()}
        self.stages = sorted((self._check_stage(dict(s)) for s in stages or ()),
                             key=lambda s: s['at'])
        staged = {k for s in self.stages for k in s['values']}
        both = sorted(staged & set(self.schedules))
        if both:
            raise ValueError(f'LossWeightSchedulerHook: {both} are in both '
                             'schedules and stages; use one of them')
        self.by_epoch = by_epoch
        self._initial: Dict[str, float] = {}

    @staticmethod
    def _check_schedule(name: str, cfg: dict) -> dict:
        allowed = {'start', 'end', 'begin', 'until', 'curve', 'num_steps'}
        extra = sorted(set(cfg) - allowed)
        if extra or 'start' not in cfg:
            raise ValueError(
                f'LossWeightSchedulerHook: schedule {name!r} = {cfg} must have '
                f'"start" and only keys {sorted(allowed)}')
        cfg.setdefault('end', None)
        cfg.setdefault('begin', 0.0)
        cfg.setdefault('until', 1.0)
        cfg.setdefault('curve', 'linear')
        cfg.setdefault('num_steps', 4)
        if cfg['curve'] not in CURVES:
            raise ValueError(f'LossWeightSchedulerHook: schedule {name!r} has '
                             f'curve {cfg["curve"]!r}; expected one of {CURVES}')
        if not 0.0 <= cfg['begin'] < cfg['until'] <= 1.0:
            raise ValueError(
                f'LossWeightSchedulerHook: schedule {name!r} needs 0 <= begin '
                f'< until <= 1 (fractions of training), got begin='
                f'{cfg["begin"]}, until={cfg["until"]}')
        if int(cfg['num_steps']) < 1:
            raise ValueError(f'LossWeightSchedulerHook: schedule {name!r} '
                             'needs num_steps >= 1')
        return cfg

    @staticmethod
    def _check_stage(stage: dict) -> dict:
        if set(stage) != {'at', 'values'} or not 0.0 <= stage['at'] <= 1.0:
            raise ValueError(
                f'LossWeightSchedulerHook: stage {stage} must be dict(at=<0..1>'
                ', values=dict(name=value))')
        return stage

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    @staticmethod
    def _get(model, name: str) -> float:
        weights = getattr(model, 'loss_weights', {})
        if name in weights:
            return float(weights[name])
        if isinstance(getattr(model, name, None), (int, float)):
            return float(getattr(model, name))
        raise KeyError(
            f'LossWeightSchedulerHook: {name!r} is neither a key of the '
            f"model's loss_weights {sorted(weights)} nor a numeric attribute "
            f'of {type(model).__name__}')

    @staticmethod
    def _set(model, name: str, value: float) -> None:
        if name in getattr(model, 'loss_weights', {}):
            if hasattr(model, 'set_loss_weight'):
                model.set_loss_weight(name, value)
            else:
                model.loss_weights[name] = value
        else:
            setattr(model, name, value)

    def names(self) -> List[str]:
        """Every scheduled or staged name."""
        staged = [k for s in self.stages for k in s['values']]
        return list(self.schedules) + [k for k in dict.fromkeys(staged)]

    def values_at(self, progress: float) -> Dict[str, float]:
        """Scheduled values at ``progress`` (needs :meth:`before_train` to have
        recorded the model's initial values)."""
        values = {}
        for name, cfg in self.schedules.items():
            end = self._initial[name] if cfg['end'] is None else cfg['end']
            values[name] = schedule_value(progress, cfg['start'], end,
                                          cfg['begin'], cfg['until'],
                                          cfg['curve'], int(cfg['num_steps']))
        for stage in self.stages:
            if progress >= stage['at']:
                values.update({k: float(v) for k, v in stage['values'].items()})
        return values

    def _progress(self, runner) -> float:
        if self.by_epoch:
            return runner.epoch / max(runner.max_epochs, 1)
        return runner.iter / max(runner.max_iters, 1)

    def before_train(self, runner) -> None:
        model = self._model(runner)
        self._initial = {name: self._get(model, name) for name in self.names()}

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        model = self._model(runner)
        for name, value in self.values_at(self._progress(runner)).items():
            self._set(model, name, value)
            runner.message_hub.update_scalar(f'train/{name}', value)
