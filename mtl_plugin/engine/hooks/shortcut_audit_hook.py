"""Validation hook running the score-only shortcut audit during training."""
import math
from typing import Dict, List, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop

from mtl_plugin.evaluation.shortcut_audit import (
    AuditSample,
    AuditSettings,
    ModelScorer,
    load_audit_samples,
    run_score_tests,
)
from mtl_plugin.registry import HOOKS

#: Summary keys logged, under ``<prefix>/``.
AUDIT_KEYS = ('necessity', 'sufficiency', 'context_swap', 'combined')


@HOOKS.register_module()
class ShortcutAuditHook(Hook):
    """Add ``audit/necessity``, ``audit/sufficiency``, ``audit/context_swap``
    and ``audit/combined`` (definitions in
    :mod:`mtl_plugin.evaluation.shortcut_audit.score_tests`) to the
    validation metrics.

    The audit runs on at most ``max_images`` images of the validation
    dataset (half defect, half normal, the same images every time), through
    the model being trained, after the val loop's evaluator. So that the
    keys reach the log and ``CheckpointHook(save_best=...)``, the hook adds
    them *to the metrics dict* of ``after_val_epoch``: mmengine's ``ValLoop``
    hands one dict to every hook in priority order, ``RuntimeInfoHook``
    (``VERY_HIGH``) copies it to the message hub (``val/<key>``, what
    ``LoggerHook`` prints and writes) and ``CheckpointHook`` (``VERY_LOW``)
    reads ``save_best`` from it; this hook's priority is ``HIGHEST``, so it
    runs before both. Select a checkpoint by the right reason with, e.g.::

        default_hooks = dict(checkpoint=dict(
            type='CheckpointHook', save_best='audit/combined', rule='greater'))
        custom_hooks = [dict(type='ShortcutAuditHook', interval=5)]

    (mmengine cannot infer ``rule`` from these names: ``'greater'`` for
    necessity, sufficiency and combined, ``'less'`` for context_swap.)

    ``interval``: the audit runs at a validation when at least ``interval``
    epochs (iterations for an ``IterBasedTrainLoop`` or ``by_epoch=False``)
    passed since the last audit,
    at the first validation and at the end of training; the other
    validations carry the last values, so the keys are always present (a
    carried value was already compared by ``save_best`` and never makes a
    new best). NaN when a population is empty (e.g. no defect called defect
    early in training); ``combined`` is then still defined.

    Args:
        interval: epochs (or iterations) between audits.
        by_epoch: count ``interval`` in epochs (``True``) or iterations
            (``False``); ``None``: the training loop's unit (iterations for
            an ``IterBasedTrainLoop``, else epochs).
        max_images: images of the validation set audited.
        prefix: key prefix.
        defect_class / score_thr: operating point; ``None``: the model's own
            (GAIN-MTL's ``defect_class`` and ``test_cfg.score_thr``), else 1
            and 0.5.
        **settings: :class:`~mtl_plugin.evaluation.shortcut_audit.AuditSettings`
            fields of the composites (``dilate``, ``fill``, ``blend``,
            ``seed``, ``batch_size``...).
    """

    priority = 'HIGHEST'

    def __init__(self, interval: int = 1, by_epoch: Optional[bool] = None,
                 max_images: int = 64, prefix: str = 'audit',
                 defect_class: Optional[int] = None,
                 score_thr: Optional[float] = None, **settings) -> None:
        if interval < 1:
            raise ValueError(f'ShortcutAuditHook: interval={interval}; expected >= 1')
        for key in ('with_maps', 'num_examples'):
            if key in settings:
                raise TypeError(f'ShortcutAuditHook: {key!r} is not a setting of '
                                'the hook (it runs the score tests only, without '
                                'examples)')
        self.interval = int(interval)
        self.by_epoch = by_epoch
        self.prefix = prefix
        self.defect_class = defect_class
        self.score_thr = score_thr
        self.settings = AuditSettings(max_images=max_images, with_maps=False,
                                      num_examples=0, **settings)
        self._samples: Optional[List[AuditSample]] = None
        self._last: Optional[Dict[str, float]] = None
        self._last_step: Optional[int] = None

    def _by_epoch(self, runner) -> bool:
        if self.by_epoch is not None:
            return self.by_epoch
        return not isinstance(runner.train_loop, IterBasedTrainLoop)

    def _step(self, runner) -> Optional[int]:
        """Training progress (epochs or iterations), None outside training."""
        if runner._train_loop is None or isinstance(runner._train_loop, dict):
            return None
        return runner.epoch if self._by_epoch(runner) else runner.iter

    def _due(self, runner) -> bool:
        step = self._step(runner)
        if step is None or self._last_step is None:
            return True
        end = runner.max_epochs if self._by_epoch(runner) else runner.max_iters
        return step - self._last_step >= self.interval or step >= end

    def audit(self, runner) -> Dict[str, float]:
        """Run the score tests on the validation subset; ``{key: value}``."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        scorer = ModelScorer(model, self.defect_class, self.score_thr,
                             self.settings.batch_size)
        if self._samples is None:
            # The validation images do not change: read them once.
            self._samples, _ = load_audit_samples(
                runner.val_dataloader.dataset, scorer.defect_class,
                self.settings.max_images, where='ShortcutAuditHook (val split)')
        summary = run_score_tests(scorer, self._samples, scorer.score_thr,
                                  self.settings).summary
        return {f'{self.prefix}/{key}': float(summary[key]) for key in AUDIT_KEYS}

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if metrics is None:
            return
        if self._due(runner):
            self._last = self.audit(runner)
            self._last_step = self._step(runner)
            runner.logger.info('shortcut audit: ' + ', '.join(
                f'{k}={v:.4f}' if not math.isnan(v) else f'{k}=nan'
                for k, v in self._last.items()))
        metrics.update(self._last)
