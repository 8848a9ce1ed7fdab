"""High-level entry points shared by the tools, diagnostics and benchmarks:
load a config (with the ``--cfg-options`` key checks), build its model (with
an optional checked checkpoint) and its datasets."""
from .config import config_scope, load_config
from .dataset import SPLITS, build_dataset, unwrap_dataset
from .model import build_model

__all__ = ['load_config', 'config_scope', 'build_model', 'build_dataset',
           'unwrap_dataset', 'SPLITS']
