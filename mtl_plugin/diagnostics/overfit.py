"""``overfit``: can the model memorise 10-20 samples?

Trains the config with mmengine's Runner (``IterBasedTrainLoop``, constant
learning rate, no checkpoints) on the first N samples of its train dataset run
through the *test* pipeline (no augmentation), or on a stand-in dataset the
caller provides (e.g. :class:`SyntheticTaskDataset`), validates on the same
samples every ``val_interval`` iterations with the configured evaluator, and
stops when every task metric passes its target:

* segmentation: mIoU > 0.9; detection: bbox mAP > 0.9; classification:
  top-1 accuracy >= 1.0 (all fractions).

When the targets are missed, the same samples are evaluated once more with
the model in train mode (BatchNorm batch statistics). The verdict (PASS; fits
in train mode only; FAIL but learning; FAIL) is
:func:`~mtl_plugin.diagnostics.overfit_verdict.judge_overfit`.
"""
import copy
import tempfile
import uuid
from typing import Any, Dict, Optional

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mtl_plugin.apis import build_dataset, config_scope

from .config_inspect import first_dataset, model_tasks, pipeline_of, to_plain
from .findings import Report
from .overfit_verdict import DEFAULT_TARGETS, OverfitCurve, judge_overfit, task_metric
from .synthetic_data import synthetic_evaluator_cfg


class _CurveHook(Hook):
    """Records the training loss and the validation metrics into an
    :class:`OverfitCurve`; stops the loop once every task meets its target."""
    priority = 'LOWEST'

    def __init__(self, curve: OverfitCurve) -> None:
        self.curve = curve

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if outputs and 'loss' in outputs:
            self.curve.losses.append(
                (runner.iter + 1, float(outputs['loss'].detach())))

    def after_val_epoch(self, runner, metrics=None):
        if self.curve.add_eval(runner.iter, metrics or {}):
            runner.train_loop.stop_training = True


def _loader(cfg_loader: Dict, dataset: Any, batch_size: int, shuffle: bool) -> Dict:
    loader = dict(batch_size=batch_size, num_workers=0, dataset=dataset,
                  sampler=dict(type='InfiniteSampler' if shuffle else 'DefaultSampler',
                               shuffle=shuffle))
    if cfg_loader.get('collate_fn'):
        loader['collate_fn'] = to_plain(cfg_loader['collate_fn'])
    return loader


def real_subset(cfg: Config, num_samples: int):
    """The first ``num_samples`` items of the train dataset, through the test
    pipeline (no augmentation)."""
    subset_cfg = copy.deepcopy(cfg)
    test = first_dataset(cfg, 'test_dataloader') or first_dataset(cfg, 'val_dataloader')
    if test is not None:
        leaf = subset_cfg.train_dataloader.dataset
        while 'dataset' in leaf:
            leaf = leaf['dataset']
        leaf['pipeline'] = to_plain(pipeline_of(test))
        leaf['indices'] = num_samples
        leaf['test_mode'] = False
    return build_dataset(subset_cfg, 'train')


def overfit(cfg: Config, num_samples: int = 16, max_iters: int = 300,
            val_interval: int = 25, lr: Optional[float] = None,
            targets: Optional[Dict[str, float]] = None,
            dataset: Optional[Any] = None, batch_size: Optional[int] = None,
            work_dir: Optional[str] = None, seed: int = 0) -> Report:
    """Train on ``num_samples`` items until the targets pass or ``max_iters``.

    Args:
        cfg: the config (not modified).
        dataset: stand-in dataset (default: :func:`real_subset` of the config).
        lr: overrides the optimizer's lr (the config's may assume a schedule).
        targets: per-task targets (fractions), default :data:`DEFAULT_TARGETS`.
        batch_size: default ``min(num_samples, train batch size, 8)``.
    """
    report = Report('overfit')
    curve = OverfitCurve(tasks=list(model_tasks(cfg)) or ['cls'],
                         targets=dict(DEFAULT_TARGETS, **(targets or {})))
    if dataset is None:
        dataset = real_subset(cfg, num_samples)
        source = f'first {len(dataset)} items of train_dataloader.dataset'
    else:
        source = f'{type(dataset).__name__} ({len(dataset)} items)'
    bs = batch_size or min(len(dataset), cfg.train_dataloader.get('batch_size', 8), 8)
    optim_wrapper = copy.deepcopy(to_plain(cfg.optim_wrapper))
    if optim_wrapper.get('type') == 'AmpOptimWrapper':
        optim_wrapper.pop('type')  # AMP needs a GPU; the overfit test runs anywhere
        optim_wrapper.pop('loss_scale', None)
    if lr is not None:
        optim_wrapper['optimizer']['lr'] = lr
    hooks = dict(checkpoint=None,
                 logger=dict(type='LoggerHook', interval=max(max_iters, 1)))
    tmp = tempfile.TemporaryDirectory() if work_dir is None else None
    runner = Runner(
        model=copy.deepcopy(cfg.model),
        work_dir=work_dir or tmp.name,
        experiment_name=f'overfit_{uuid.uuid4().hex[:8]}',
        train_dataloader=_loader(cfg.train_dataloader, dataset, bs, True),
        val_dataloader=_loader(cfg.get('val_dataloader') or cfg.train_dataloader,
                               dataset, bs, False),
        val_evaluator=synthetic_evaluator_cfg(cfg.get('val_evaluator'))
        if not _is_real(dataset) else to_plain(cfg.get('val_evaluator')),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters,
                       val_interval=val_interval),
        val_cfg=dict(type='ValLoop'),
        optim_wrapper=optim_wrapper,
        param_scheduler=None,
        default_hooks=hooks,
        custom_hooks=copy.deepcopy(to_plain(cfg.get('custom_hooks'))) or None,
        default_scope=config_scope(cfg),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo')),
        randomness=dict(seed=seed),
        log_level='WARNING')
    runner.register_hook(_CurveHook(curve))
    try:
        runner.train()
        train_mode = None if curve.passed else _metrics_in_train_mode(runner)
    finally:
        if tmp is not None:
            tmp.cleanup()
    report.section('overfit curve', _format_curve(
        curve, f'data: {source}, batch {bs}, lr '
        f'{optim_wrapper["optimizer"].get("lr")}, targets '
        f'{ {t: curve.targets[t] for t in curve.tasks} }'))
    report.data.update(losses=curve.losses, evals=curve.evals, passed=curve.passed)
    if train_mode is not None:
        values = {t: task_metric(train_mode, t) for t in curve.tasks}
        report.data['train_mode_metrics'] = values
        report.section('same samples, model in train mode (batch statistics)',
                       str({t: (round(v[1], 4) if v else None)
                            for t, v in values.items()}))
    report.findings.extend(judge_overfit(
        curve, max_iters, len(dataset), train_mode,
        _slowest_bn_momentum(runner.model)))
    return report


def _format_curve(curve: OverfitCurve, header: str) -> str:
    lines = [header]
    loss_at = dict(curve.losses)
    for it, values, _ in curve.evals:
        shown = ', '.join(f'{t}: {v[0]}={v[1]:.3f}' if v else f'{t}: (no metric)'
                          for t, v in values.items())
        loss = loss_at.get(it)
        lines.append(f'iter {it:>5}  loss {loss:.4f}  {shown}' if loss is not None
                     else f'iter {it:>5}  {shown}')
    return '\n'.join(lines)


def _metrics_in_train_mode(runner: Runner) -> Dict[str, float]:
    """Evaluate the validation samples with the model in train mode (BatchNorm
    uses batch statistics), to tell a broken loop from broken running stats."""
    model = runner.model
    evaluator = runner.val_loop.evaluator
    model.train()
    with torch.no_grad():
        for batch in runner.val_loop.dataloader:
            evaluator.process(data_samples=model.val_step(batch), data_batch=batch)
    model.eval()
    return evaluator.evaluate(len(runner.val_loop.dataloader.dataset))


def _slowest_bn_momentum(model: torch.nn.Module) -> Optional[float]:
    """Smallest BatchNorm momentum of the model (None: no BN or cumulative)."""
    momenta = [m.momentum for m in model.modules()
               if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
               and m.track_running_stats and m.momentum]
    return min(momenta) if momenta else None


def _is_real(dataset: Any) -> bool:
    return not type(dataset).__name__.startswith('Synthetic')
