"""Check, before training starts, that every pretrained checkpoint of a config
can be loaded: a local file, a file in torch's hub cache, or a reachable URL.

mmengine resolves ``init_cfg=dict(type='Pretrained', checkpoint=...)`` only
inside ``init_weights``, after the dataset was indexed and the Runner built;
offline it then fails with a raw ``URLError``. This module finds every such
``checkpoint`` in ``cfg.model``, maps it to the file mmengine would read
(``http(s)://`` and ``torchvision://`` / ``open-mmlab://`` / ``mmcls://``
names go to ``<torch hub dir>/checkpoints/<file name of the URL>``, the
cache of mmengine's ``load_from_http``) and, when that file is missing,
tries the URL (a ``HEAD`` request with a short timeout). Schemes it cannot
check (``pavi://``, ``s3://``, ...) are left to mmengine.
"""
import os.path as osp
import urllib.request
from typing import Any, Callable, List, NamedTuple, Optional
from urllib.parse import urlparse

import torch
from mmengine.config import Config

from .config_checks import ConfigError


class PretrainedRef(NamedTuple):
    """A ``Pretrained`` checkpoint of a config.

    ``key``: dotted config key of the ``checkpoint`` value
    (``model.backbone.init_cfg.checkpoint``); ``checkpoint``: its value;
    ``url``: the download URL (None for a local path); ``path``: the file
    mmengine reads (the cache file for a URL).
    """

    key: str
    checkpoint: str
    url: Optional[str]
    path: Optional[str]


def _init_cfgs(node: Any, key: str):
    """Yield ``(dotted key, init_cfg dict)`` of every ``Pretrained`` init_cfg."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == 'init_cfg':
                items = value if isinstance(value, (list, tuple)) else [value]
                for i, item in enumerate(items):
                    if isinstance(item, dict) and item.get('type') == 'Pretrained' \
                            and item.get('checkpoint'):
                        suffix = f'.{i}' if isinstance(value, (list, tuple)) else ''
                        yield f'{key}.init_cfg{suffix}', item
            else:
                yield from _init_cfgs(value, f'{key}.{name}')
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            yield from _init_cfgs(item, f'{key}.{i}')


def _named_url(checkpoint: str) -> Optional[str]:
    """Download URL of mmengine's named schemes, None if not one of them."""
    from mmengine.runner.checkpoint import (
        get_deprecated_model_names,
        get_external_models,
        get_mmcls_models,
        get_torchvision_models,
    )
    for prefix in ('torchvision://', 'modelzoo://'):
        if checkpoint.startswith(prefix):
            return get_torchvision_models().get(checkpoint[len(prefix):])
    for prefix in ('open-mmlab://', 'openmmlab://'):
        if checkpoint.startswith(prefix):
            name = checkpoint[len(prefix):]
            name = get_deprecated_model_names().get(name, name)
            return get_external_models().get(name)
    if checkpoint.startswith('mmcls://'):
        return get_mmcls_models().get(checkpoint[len('mmcls://'):])
    return None


def cache_path(url: str) -> str:
    """Where mmengine's ``load_from_http`` keeps (and first looks for) ``url``."""
    return osp.join(torch.hub.get_dir(), 'checkpoints',
                    osp.basename(urlparse(url).path))


def pretrained_refs(cfg: Config) -> List[PretrainedRef]:
    """Every ``Pretrained`` checkpoint in ``cfg.model``, resolved to a file."""
    refs = []
    for key, init_cfg in _init_cfgs(cfg.get('model', {}), 'model'):
        ckpt = str(init_cfg['checkpoint'])
        url = ckpt if ckpt.startswith(('http://', 'https://')) else _named_url(ckpt)
        if url is not None and url.startswith(('http://', 'https://')):
            refs.append(PretrainedRef(f'{key}.checkpoint', ckpt, url, cache_path(url)))
        elif '://' not in ckpt:
            refs.append(PretrainedRef(f'{key}.checkpoint', ckpt, None, ckpt))
    return refs


def url_reachable(url: str, timeout: float = 5.0) -> Optional[str]:
    """None when a ``HEAD`` request to ``url`` succeeds, else the reason."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method='HEAD'),
                               timeout=timeout).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f'{type(exc).__name__}: {getattr(exc, "reason", exc)}'
    return None


def check_pretrained_weights(
        cfg: Config,
        reachable: Callable[[str], Optional[str]] = url_reachable) -> None:
    """Raise :class:`ConfigError` for every pretrained file that is neither on
    disk (path or cache) nor downloadable; the message names the file, the
    cache path and both fixes.

    Args:
        cfg: the config.
        reachable: ``url -> None`` if it can be downloaded, else the reason.
    """
    problems = []
    for ref in pretrained_refs(cfg):
        if osp.isfile(ref.path):
            continue
        if ref.url is None:
            problems.append(f'{ref.key}={ref.checkpoint!r}: no such file.\n'
                            f'    Fix: --cfg-options {ref.key}=PATH (an existing '
                            'checkpoint file)')
            continue
        reason = reachable(ref.url)
        if reason is None:
            continue
        problems.append(
            f'{ref.key}={ref.checkpoint!r}: not in the cache ({ref.path}) and '
            f'cannot be downloaded from {ref.url} ({reason}).\n'
            f'    Fix 1: download {osp.basename(ref.path)} on a machine with '
            f'internet access and place it at {ref.path}\n'
            f'    Fix 2: --cfg-options {ref.key}=PATH (a local copy of the file)')
    if problems:
        raise ConfigError('pretrained weights cannot be loaded:\n  ' +
                          '\n  '.join(problems))
