"""Class names of a config's test dataset, for inference and export."""
from typing import Any, Dict

from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope

from .config import config_scope


def dataset_meta(cfg: Config) -> Dict[str, Any]:
    """The test dataset's meta information without building it: the dataset
    class's ``METAINFO`` updated by the config's ``metainfo`` (as mmengine's
    ``BaseDataset`` does), e.g. ``classes``."""
    ds = cfg.test_dataloader.dataset
    init_default_scope(config_scope(cfg))
    meta = dict(getattr(DATASETS.get(ds['type']), 'METAINFO', {}) or {})
    meta.update(ds.get('metainfo') or {})
    return meta
