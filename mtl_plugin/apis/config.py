"""Load a config file the way every tool of the package does."""
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

from mtl_plugin.utils.config_checks import ConfigError, check_key_exists, check_top_level_keys


def load_config(path: str, cfg_options: Optional[Dict] = None,
                allow_new_keys: bool = False) -> Config:
    """Load a config file and merge ``--cfg-options`` into it.

    ``Config.fromfile`` imports the config's ``custom_imports`` (so its
    modules are registered); the registry scope is the config's
    ``default_scope`` (:func:`config_scope`), entered by the builders of this
    package.

    Args:
        path: config file.
        cfg_options: ``{'a.b.c': value}`` overrides from the command line.
        allow_new_keys: accept override keys that do not exist in the config
            (by default they are rejected, since mmengine would silently add a
            misspelt key and ignore it).

    Raises:
        ConfigError: the file is missing, or an override names a key the config
            does not have (with the closest existing keys), or a top-level key
            looks like a misspelt Runner key.
    """
    if not osp.isfile(path):
        raise ConfigError(f'config file not found: {path!r} (expected a '
                          'Python config such as configs/gain/s1.py)')
    cfg = Config.fromfile(path)
    if cfg_options:
        if not allow_new_keys:
            for key in cfg_options:
                check_key_exists(cfg, key, source=f'--cfg-options {key}=...')
        cfg.merge_from_dict(cfg_options)
    check_top_level_keys(cfg, path)
    return cfg


def config_scope(cfg: Config) -> str:
    """Registry scope of a config: its ``default_scope``, else mmengine's root
    (as mmengine's Runner does)."""
    return cfg.get('default_scope') or 'mmengine'
