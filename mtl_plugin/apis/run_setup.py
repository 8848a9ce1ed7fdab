"""Library side of tools/train.py and tools/test.py (the scripts stay thin).

Turns command-line options into config changes the way mmdet's tools do, plus
what a CPU machine needs (gloo backend, DDP without device ids) and the checks
of :mod:`mtl_plugin.utils.config_checks` before the Runner starts.
Argument parsing stays in the tools, so that ``--help`` imports nothing
heavy.
"""
import importlib.util
import json
import os
import os.path as osp
from argparse import Namespace
from typing import Dict

import torch
from mmengine.config import Config

from mtl_plugin.utils.config_checks import ConfigError, check_dataset_paths, default_work_dir
from mtl_plugin.utils.pretrained_weights import check_pretrained_weights

from .config import load_config


def _set_cpu_distributed(cfg: Config) -> None:
    """Make a ``--launcher pytorch`` run work without GPUs.

    NCCL needs GPUs, and mmengine passes ``device_ids=[LOCAL_RANK]`` to DDP,
    which DDP rejects for a CPU module; ``device_ids=None`` is DDP's CPU form.
    """
    cfg.env_cfg = cfg.get('env_cfg', {})
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def _common(cfg: Config, args: Namespace) -> None:
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif not cfg.get('work_dir'):
        cfg.work_dir = default_work_dir(args.config)
    cfg.launcher = args.launcher
    if args.launcher != 'none' and not torch.cuda.is_available():
        _set_cpu_distributed(cfg)


def _enable_amp(cfg: Config, dtype: str, flag: str) -> None:
    """Switch the optimizer wrapper to mmengine's ``AmpOptimWrapper``.

    ``dtype`` is the autocast type: ``'float16'`` (``--amp``, with dynamic
    loss scaling) or ``'bfloat16'`` (``--amp-dtype bfloat16``; bf16 has
    float32's exponent range, so the loss is not scaled: a static scale of
    1.0, which mmengine's GradScaler keeps, still skipping non-finite steps).
    A ``loss_scale`` the config sets is kept.
    """
    if not torch.cuda.is_available():
        raise ConfigError(f'{flag} needs a CUDA GPU (mmengine AmpOptimWrapper); '
                          'none is visible here')
    if dtype == 'bfloat16' and not torch.cuda.is_bf16_supported():
        raise ConfigError(f'{flag}: this GPU has no bfloat16 support; use --amp '
                          '(float16)')
    optim = cfg.optim_wrapper
    if optim.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
        print(f'AMP is already enabled in the config; setting dtype={dtype}.')
    optim.type = 'AmpOptimWrapper'
    optim.dtype = dtype
    optim.setdefault('loss_scale', 'dynamic' if dtype == 'float16' else 1.0)


def _enable_auto_scale_lr(cfg: Config, config_path: str) -> None:
    """``--auto-scale-lr``: let mmengine scale the lr linearly by
    ``total batch / auto_scale_lr.base_batch_size`` (as mmdet's tool does)."""
    scale = cfg.get('auto_scale_lr')
    if not scale or 'base_batch_size' not in scale:
        raise ConfigError(
            f'--auto-scale-lr: {config_path} has no auto_scale_lr.base_batch_size '
            '(the batch size its lr was tuned for); add e.g. '
            'auto_scale_lr = dict(enable=False, base_batch_size=16)')
    scale['enable'] = True


def _add_tensorboard(cfg: Config) -> None:
    """``--tensorboard``: add mmengine's ``TensorboardVisBackend`` to the
    visualizer's backends (scalars under ``<work_dir>/<timestamp>/vis_data``)."""
    if importlib.util.find_spec('tensorboard') is None:
        raise ConfigError('--tensorboard needs the tensorboard package: pip '
                          'install tensorboard (or MTL_EXTRAS=optional '
                          'tools/install.sh)')
    visualizer = cfg.get('visualizer')
    if not visualizer:
        raise ConfigError('--tensorboard: the config has no visualizer to add '
                          'the TensorBoard backend to')
    backends = list(visualizer.get('vis_backends') or [])
    if not any(str(b.get('type', '')).endswith('TensorboardVisBackend')
               for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    visualizer['vis_backends'] = backends


def setup_train_cfg(args: Namespace) -> Config:
    """Config for tools/train.py from its parsed arguments.

    ``args``: config, work_dir, amp, amp_dtype (None | 'float16' |
    'bfloat16'), auto_scale_lr, resume (None | 'auto' | path), tensorboard,
    cfg_options, launcher, allow_new_keys.
    """
    cfg = load_config(args.config, args.cfg_options, args.allow_new_keys)
    _common(cfg, args)
    if args.amp or args.amp_dtype:
        _enable_amp(cfg, args.amp_dtype or 'float16',
                    f'--amp-dtype {args.amp_dtype}' if args.amp_dtype else '--amp')
    if args.auto_scale_lr:
        _enable_auto_scale_lr(cfg, args.config)
    if args.tensorboard:
        _add_tensorboard(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise ConfigError(f'--resume {args.resume!r}: checkpoint not found')
        cfg.resume = True
        cfg.load_from = args.resume
    loaders = ['train_dataloader']
    if cfg.get('val_cfg') and cfg.get('val_dataloader'):
        loaders.append('val_dataloader')
    check_dataset_paths(cfg, loaders)
    check_pretrained_weights(cfg)
    return cfg


def setup_test_cfg(args: Namespace) -> Config:
    """Config for tools/test.py: ``args`` adds checkpoint, out, show_dir."""
    cfg = load_config(args.config, args.cfg_options, args.allow_new_keys)
    _common(cfg, args)
    cfg.load_from = args.checkpoint
    if args.show_dir:
        hooks = cfg.get('default_hooks', {})
        if 'visualization' not in hooks:
            raise ConfigError(
                f'--show-dir: {args.config} has no default_hooks.visualization '
                'hook that could draw predictions')
        hooks['visualization']['draw'] = True
        # As in mmdet: a relative folder goes under <work_dir>/<timestamp>/
        # (the hooks join it), an absolute one is used as is.
        hooks['visualization']['test_out_dir'] = args.show_dir
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ConfigError(f'--out {args.out!r}: expected a .pkl file')
        evaluator = cfg.test_evaluator
        evaluators = list(evaluator) if isinstance(evaluator, (list, tuple)) else [evaluator]
        evaluators.append(dict(type='DumpResults', out_file_path=args.out))
        cfg.test_evaluator = evaluators
    check_dataset_paths(cfg, ['test_dataloader'])
    return cfg


def format_metrics_table(metrics: Dict[str, float]) -> str:
    """Metrics as a two-column text table, grouped by evaluator prefix."""
    if not metrics:
        return '(no metrics)'
    width = max(len(k) for k in metrics)
    lines = [f'{"metric".ljust(width)}  value', f'{"-" * width}  ' + '-' * 10]
    for key in sorted(metrics):
        value = metrics[key]
        shown = f'{value:.4f}' if isinstance(value, float) else str(value)
        lines.append(f'{key.ljust(width)}  {shown}')
    return '\n'.join(lines)


def _jsonable(value):
    """Tensors and numpy values as plain Python numbers/lists."""
    return value.tolist() if hasattr(value, 'tolist') else value


def save_metrics(metrics: Dict, work_dir: str, timestamp: str) -> str:
    """Write metrics to ``<work_dir>/<timestamp>/metrics.json`` and
    ``<work_dir>/metrics.json`` (the latest test); return the latter's path.

    The file is written to a temporary name and renamed, so an interrupted
    write never leaves a truncated metrics.json behind.
    """
    data = {k: _jsonable(v) for k, v in metrics.items()}
    paths = [osp.join(work_dir, timestamp, 'metrics.json'),
             osp.join(work_dir, 'metrics.json')]
    for path in paths:
        os.makedirs(osp.dirname(path), exist_ok=True)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.replace(tmp, path)
    return paths[1]
