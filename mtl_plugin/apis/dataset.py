"""Build the dataset of a config split and reach the dataset inside wrappers."""
from typing import Any

from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope

from mtl_plugin.utils.config_checks import ConfigError

from .config import config_scope

SPLITS = ('train', 'val', 'test')


def build_dataset(cfg: Config, split: str) -> Any:
    """Build ``cfg.<split>_dataloader.dataset`` in the config's scope.

    Args:
        cfg: the config.
        split: ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        The dataset as configured, wrappers included (see
        :func:`unwrap_dataset`).

    Raises:
        ConfigError: an unknown split, or a config without that dataset.
    """
    if split not in SPLITS:
        raise ConfigError(f'split must be one of {list(SPLITS)}, got {split!r}')
    key = f'{split}_dataloader'
    dataset_cfg = (cfg.get(key) or {}).get('dataset')
    if dataset_cfg is None:
        raise ConfigError(f'the config has no {key}.dataset')
    init_default_scope(config_scope(cfg))
    return DATASETS.build(dataset_cfg)


def unwrap_dataset(dataset: Any) -> Any:
    """The dataset inside wrappers, i.e. the one that holds the pipeline.

    ``RepeatDataset`` / ``ClassBalancedDataset`` (and any wrapper with a
    ``dataset`` attribute) give their inner dataset, ``ConcatDataset`` its
    first member; a dataset with a ``pipeline`` is returned as is. Wrapper
    configs are walked by
    :func:`mtl_plugin.utils.config_checks.leaf_dataset_cfgs`.
    """
    while not hasattr(dataset, 'pipeline'):
        if hasattr(dataset, 'dataset'):
            dataset = dataset.dataset
        elif getattr(dataset, 'datasets', None):
            dataset = dataset.datasets[0]
        else:
            break
    return dataset
