"""Checks run by tools/train.py and tools/test.py before any long work starts.

Each raises :class:`ConfigError` with a message that names the file, key or value
that is wrong and what was expected, so that a typo costs seconds instead of a
crash after the dataset was indexed or the first epoch ran.
"""
import difflib
import os.path as osp
from typing import Any, Dict, List, Sequence, Tuple

import torch
from mmengine.config import Config

from .compat import mmengine_checkpoint_loading

# Top-level keys read by mmengine's Runner.from_cfg (and the tools).
RUNNER_KEYS = (
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name', 'cfg',
    'model_wrapper_cfg', 'custom_imports', 'runner_type')


class ConfigError(ValueError):
    """A config, option, dataset path or checkpoint that cannot work."""


def check_key_exists(cfg: Config, dotted_key: str, source: str) -> None:
    """Raise when ``dotted_key`` (``a.b.0.c``) does not exist in ``cfg``."""
    node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    walked = []
    for part in dotted_key.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit():
            if int(part) >= len(node):
                raise ConfigError(
                    f'{source}: index {part} is out of range for '
                    f'{".".join(walked) or "<root>"} (a list of {len(node)})')
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            where = '.'.join(walked) or '<root>'
            keys = list(node.keys()) if isinstance(node, dict) else []
            close = difflib.get_close_matches(part, keys, n=3)
            hint = f'; did you mean {close}?' if close else (
                f'; existing keys: {sorted(keys)[:20]}' if keys else '')
            raise ConfigError(
                f'{source}: key {part!r} does not exist under {where}{hint} '
                '(pass --allow-new-keys to add new keys on purpose)')
        walked.append(part)


def check_top_level_keys(cfg: Config, path: str) -> None:
    """Reject top-level keys that are a near miss of a Runner key.

    Configs may define helper variables (``data_root``, ``train_pipeline``), so
    unknown keys are allowed unless they look like a misspelling of a key the
    Runner reads (``trian_dataloader``), which would otherwise be ignored.
    """
    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        close = difflib.get_close_matches(key, RUNNER_KEYS, n=1, cutoff=0.85)
        if close:
            raise ConfigError(
                f'{path}: top-level key {key!r} is not read by the Runner; '
                f'did you mean {close[0]!r}?')


def leaf_dataset_cfgs(dataset: Any, path: str = 'dataset') -> List[Tuple[str, Dict]]:
    """``(dotted path, cfg)`` of the leaf dataset configs inside wrapper
    configs (``ConcatDataset.datasets``, ``RepeatDataset.dataset``, ...).

    Built datasets are unwrapped by :func:`mtl_plugin.apis.unwrap_dataset`.
    """
    if not isinstance(dataset, dict):
        return []
    if 'datasets' in dataset:
        out = []
        for i, sub in enumerate(dataset['datasets']):
            out += leaf_dataset_cfgs(sub, f'{path}.datasets.{i}')
        return out
    if 'dataset' in dataset:
        return leaf_dataset_cfgs(dataset['dataset'], f'{path}.dataset')
    return [(path, dataset)]


def missing_dataset_paths(cfg: Config, loaders: Sequence[str]) -> List[str]:
    """Return human-readable descriptions of dataset paths that do not exist.

    Looks at ``data_root`` and at ``ann_file`` (joined with ``data_root`` when
    relative, as mmengine's BaseDataset does) of every dataset in ``loaders``.
    """
    problems = []
    for loader in loaders:
        loader_cfg = cfg.get(loader)
        if not loader_cfg:
            continue
        for _, ds in leaf_dataset_cfgs(loader_cfg.get('dataset', {})):
            root = ds.get('data_root') or ''
            if root and not osp.isdir(root):
                problems.append(f'{loader}.dataset.data_root={root!r} is not '
                                'a directory')
                continue
            ann = ds.get('ann_file') or ''
            if ann:
                full = ann if osp.isabs(ann) or not root else osp.join(root, ann)
                if not osp.exists(full):
                    problems.append(
                        f'{loader}.dataset.ann_file={ann!r} not found '
                        f'(looked for {full!r})')
    return problems


def check_dataset_paths(cfg: Config, loaders: Sequence[str]) -> None:
    """Raise :class:`ConfigError` listing every missing dataset path."""
    problems = missing_dataset_paths(cfg, loaders)
    if problems:
        raise ConfigError(
            'dataset paths do not exist:\n  ' + '\n  '.join(problems) +
            '\nGenerate the synthetic data (see the workload README under '
            'configs/) or point data_root to your dataset with '
            '--cfg-options train_dataloader.dataset.data_root=...')


def check_checkpoint_matches(model: torch.nn.Module, checkpoint: str,
                             max_listed: int = 8) -> Dict[str, torch.Tensor]:
    """Raise when ``checkpoint``'s weights do not fit ``model``.

    mmengine's test-time loading is non-strict: missing or mismatched weights
    only produce a warning and the test then reports metrics of a randomly
    initialised model. This check compares keys and shapes first.

    Returns:
        The checkpoint's state dict (a ``module.`` prefix of DDP removed), so
        that a caller can load it without reading the file again.
    """
    if not osp.isfile(checkpoint):
        raise ConfigError(f'checkpoint not found: {checkpoint!r}')
    try:
        with mmengine_checkpoint_loading():
            ckpt = torch.load(checkpoint, map_location='cpu', weights_only=True)
    except Exception as exc:  # noqa: BLE001 - report any unreadable file
        raise ConfigError(f'cannot read checkpoint {checkpoint!r}: {exc}') from exc
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ConfigError(f'{checkpoint!r} holds no state_dict (got '
                          f'{type(ckpt).__name__})')
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    own = model.module.state_dict() if hasattr(model, 'module') else model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shape = sorted(k for k in set(own) & set(state)
                   if tuple(own[k].shape) != tuple(state[k].shape))
    if missing or unexpected or shape:
        lines = []
        if missing:
            lines.append(f'{len(missing)} weights missing from the checkpoint, '
                         f'e.g. {missing[:max_listed]}')
        if unexpected:
            lines.append(f'{len(unexpected)} checkpoint weights not in the '
                         f'model, e.g. {unexpected[:max_listed]}')
        if shape:
            lines.append('shape mismatch: ' + ', '.join(
                f'{k} model {tuple(own[k].shape)} vs checkpoint '
                f'{tuple(state[k].shape)}' for k in shape[:max_listed]))
        raise ConfigError(f'checkpoint {checkpoint!r} does not match the '
                          'model of this config:\n  ' + '\n  '.join(lines))
    return state


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config file name without .py>``, as mmdet's tools do."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])

