"""``overfit``: can the model memorise 10-20 samples?

Trains the config with mmengine's Runner (``IterBasedTrainLoop``, constant
learning rate, no checkpoints) on the first N samples of its train dataset run
through the *test* pipeline (no augmentation), or on a stand-in dataset the
caller provides (e.g. :class:`SyntheticTaskDataset`), validates on the same
samples every ``val_interval`` iterations with the configured evaluator, and
stops when every task metric passes its target:

* segmentation: mIoU > 0.9; detection: bbox mAP > 0.9; classification:
  top-1 accuracy >= 1.0 (all fractions).

PASS means the loop, losses and heads can learn, so a run stuck at a low
metric has a data / validation problem; FAIL means the training loop itself
(loss, targets, optimizer, head wiring) is broken.
"""
import copy
import re
import tempfile
import uuid
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from .config_inspect import model_tasks, to_plain
from .findings import Report
from .synthetic_data import synthetic_evaluator_cfg

DEFAULT_TARGETS = dict(seg=0.9, det=0.9, cls=1.0)
# Metric keys per task, first match wins (prefix-agnostic).
_KEY_PATTERNS = dict(
    seg=[r'(^|/)mIoU$', r'(^|/)(loc_)?iou$'],
    det=[r'(^|/)bbox_mAP$', r'(^|/)mAP$'],
    cls=[r'(^|/)top1$', r'(^|/)accuracy$', r'(^|/)acc$'])


def task_metric(metrics: Dict[str, float], task: str) -> Optional[tuple]:
    """``(key, value as a fraction)`` of a task's headline metric, or None."""
    for pattern in _KEY_PATTERNS[task]:
        for key, value in metrics.items():
            if re.search(pattern, key):
                value = float(value)
                # mmseg / mmpretrain report percent.
                return key, value / 100 if value > 1.0 + 1e-6 else value
    return None


class _CurveHook(Hook):
    """Records the training loss and the validation metrics; stops the loop
    once every task meets its target."""
    priority = 'LOWEST'

    def __init__(self, tasks: List[str], targets: Dict[str, float]) -> None:
        self.tasks, self.targets = tasks, targets
        self.losses: List[tuple] = []
        self.evals: List[tuple] = []
        self.passed = False

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if outputs and 'loss' in outputs:
            self.losses.append((runner.iter + 1, float(outputs['loss'].detach())))

    def after_val_epoch(self, runner, metrics=None):
        metrics = metrics or {}
        values = {t: task_metric(metrics, t) for t in self.tasks}
        self.evals.append((runner.iter, values, dict(metrics)))
        self.passed = all(v is not None and self._meets(t, v[1])
                          for t, v in values.items())
        if self.passed:
            runner.train_loop.stop_training = True

    def _meets(self, task: str, value: float) -> bool:
        target = self.targets[task]
        return value >= target - 1e-9 if target >= 1.0 else value > target


def _progress(evals: List, tasks: List[str]) -> Dict[str, Tuple[float, float]]:
    """``{task: (first, best)}`` eval-mode metric over the curve, for the
    tasks measured at every evaluation (empty when there are fewer than two
    evaluations)."""
    if len(evals) < 2:
        return {}
    out = {}
    for t in tasks:
        values = [e[1].get(t) for e in evals]
        if any(v is None for v in values):
            continue
        out[t] = (values[0][1], max(v[1] for v in values))
    return out


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
    from mmengine.registry import DATASETS, init_default_scope
    from .config_inspect import default_scope, first_dataset, pipeline_of
    init_default_scope(default_scope(cfg))
    ds_cfg = copy.deepcopy(to_plain(cfg.train_dataloader.dataset))
    test = first_dataset(cfg, 'test_dataloader') or first_dataset(cfg, 'val_dataloader')
    if test is not None:
        leaf = ds_cfg
        while 'dataset' in leaf:
            leaf = leaf['dataset']
        leaf['pipeline'] = to_plain(pipeline_of(test))
        leaf['indices'] = num_samples
        leaf['test_mode'] = False
    return DATASETS.build(ds_cfg)


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
    tasks = list(model_tasks(cfg)) or ['cls']
    targets = dict(DEFAULT_TARGETS, **(targets or {}))
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
        default_scope=cfg.get('default_scope', 'mmengine'),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo')),
        randomness=dict(seed=seed),
        log_level='WARNING')
    curve = _CurveHook(tasks, targets)
    runner.register_hook(curve)
    try:
        runner.train()
        train_mode = None if curve.passed else _metrics_in_train_mode(runner)
    finally:
        if tmp is not None:
            tmp.cleanup()
    lines = [f'data: {source}, batch {bs}, lr '
             f'{optim_wrapper["optimizer"].get("lr")}, targets '
             f'{ {t: targets[t] for t in tasks} }']
    loss_at = dict(curve.losses)
    for it, values, _ in curve.evals:
        shown = ', '.join(f'{t}: {v[0]}={v[1]:.3f}' if v else f'{t}: (no metric)'
                          for t, v in values.items())
        loss = loss_at.get(it)
        lines.append(f'iter {it:>5}  loss {loss:.4f}  {shown}' if loss is not None
                     else f'iter {it:>5}  {shown}')
    report.section('overfit curve', '\n'.join(lines))
    report.data.update(losses=curve.losses, evals=curve.evals, passed=curve.passed)
    last = curve.evals[-1][1] if curve.evals else {}
    missing = [t for t, v in last.items() if v is None]
    if missing:
        report.error('overfit', f'no metric found for task(s) {missing} in the '
                     f'evaluator results {sorted(curve.evals[-1][2])}')
    train_ok = False
    if train_mode is not None:
        values = {t: task_metric(train_mode, t) for t in tasks}
        report.data['train_mode_metrics'] = values
        shown = {t: (round(v[1], 4) if v else None) for t, v in values.items()}
        report.section('same samples, model in train mode (batch statistics)',
                       str(shown))
        train_ok = all(v is not None and curve._meets(t, v[1])
                       for t, v in values.items())
    if curve.passed:
        report.info('overfit', f'PASS at iter {curve.evals[-1][0]}: the training '
                    'loop can learn; look at data / validation next')
    elif train_ok:
        momentum = _slowest_bn_momentum(runner.model)
        iters = curve.evals[-1][0] if curve.evals else max_iters
        if momentum is not None and iters < 3 / momentum:
            report.warning(
                'train vs eval mode',
                f'the loop learns: in train mode (batch statistics) the samples '
                f'are fitted ({shown}), but BatchNorm momentum {momentum} needs '
                f'~{int(3 / momentum)} iterations for the running statistics to '
                f'converge and only {iters} ran: rerun with --max-iters '
                f'{int(5 / momentum)} to judge eval mode')
        else:
            report.error(
                'train vs eval mode',
                f'in train mode the model fits the samples ({shown}) but not in '
                f'eval mode after {iters} iterations: BatchNorm running '
                'statistics (or dropout) do not match the training batches, e.g. '
                'extra forward passes in train mode (masked / counterfactual '
                'images) update the running statistics, or norm layers are frozen')
    else:
        gaps = {t: (v[1], last[t][1]) for t, v in values.items()
                if v is not None and last.get(t) is not None
                and v[1] >= 0.5 and last[t][1] < 0.5 * v[1]} \
            if train_mode is not None else {}
        if gaps:
            report.warning('train vs eval mode', f'train-mode vs eval-mode metric '
                           f'{ {t: (round(a, 3), round(b, 3)) for t, (a, b) in gaps.items()} }'
                           ': the model predicts much better with batch statistics; '
                           'check BatchNorm running statistics / norm_eval')
        shown_last = {t: (round(v[1], 4) if v else None)
                      for t, v in last.items()}
        progress = _progress(curve.evals, tasks)
        losses = [v for _, v in curve.losses]
        loss_fell = len(losses) >= 2 and losses[-1] < 0.5 * losses[0]
        if loss_fell and progress and all(
                best >= 0.5 * targets[t] for t, (_, best) in progress.items()):
            # Loss halved and the metric got at least half-way: the loop
            # learns; the budget (or the target) is the issue.
            report.error('overfit', f'FAIL: targets not reached in {max_iters} '
                         f'iterations on {len(dataset)} samples (last: '
                         f'{shown_last}), but the model learns (first -> best '
                         f'eval: { {t: (round(a, 3), round(b, 3)) for t, (a, b) in progress.items()} }'
                         '): the loop, loss and heads work; this model needs '
                         'more iterations (raise --max-iters) or another lr '
                         '(--lr) to memorise the samples')
        else:
            report.error('overfit', f'FAIL: targets not reached in {max_iters} '
                         f'iterations on {len(dataset)} samples (last: '
                         f'{shown_last}, also in train mode): the training '
                         'loop, loss or head wiring is broken (or raise '
                         '--max-iters / --lr)')
    return report


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
