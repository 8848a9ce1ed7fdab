"""load_config: the --cfg-options key check every tool applies."""
import os.path as osp

import pytest

from mtl_plugin.apis import config_scope, load_config
from mtl_plugin.utils.config_checks import ConfigError

from mtl_test_utils import TEST_DATA

TOY = osp.join(TEST_DATA, 'configs', 'toy_train.py')


def test_existing_keys_are_merged():
    cfg = load_config(TOY, {'train_cfg.max_iters': 3,
                            'param_scheduler.1.gamma': 0.5})
    assert cfg.train_cfg.max_iters == 3
    assert cfg.param_scheduler[1].gamma == 0.5


def test_misspelt_key_is_named_with_a_suggestion():
    with pytest.raises(ConfigError) as err:
        load_config(TOY, {'train_cfg.max_iter': 3})
    msg = str(err.value)
    assert "'max_iter'" in msg and 'train_cfg' in msg and "did you mean ['max_iters']" in msg


def test_list_index_out_of_range_is_named():
    with pytest.raises(ConfigError, match='index 5 is out of range for '
                       r'param_scheduler \(a list of 2\)'):
        load_config(TOY, {'param_scheduler.5.gamma': 0.5})


def test_new_keys_only_on_request():
    cfg = load_config(TOY, {'train_cfg.extra': 1}, allow_new_keys=True)
    assert cfg.train_cfg.extra == 1


def test_missing_file_and_scope():
    with pytest.raises(ConfigError, match='config file not found'):
        load_config(osp.join(TEST_DATA, 'nope.py'))
    assert config_scope(load_config(TOY)) == 'mtl_plugin'
