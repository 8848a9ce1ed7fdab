"""build_dataset (split names) and unwrap_dataset (dataset wrappers)."""
import os.path as osp
import sys

import pytest
from mmengine.dataset import ClassBalancedDataset, ConcatDataset, RepeatDataset

from mtl_plugin.apis import build_dataset, load_config, unwrap_dataset
from mtl_plugin.utils.config_checks import ConfigError

from mtl_test_utils import TEST_DATA

if TEST_DATA not in sys.path:
    sys.path.insert(0, TEST_DATA)  # toy_modules (custom_imports of the config)
TOY = osp.join(TEST_DATA, 'configs', 'toy_train.py')


def test_splits_select_their_loader():
    cfg = load_config(TOY)
    assert len(build_dataset(cfg, 'train')) == 64
    assert len(build_dataset(cfg, 'test')) == 16


def test_unknown_split_and_missing_loader_are_named():
    cfg = load_config(TOY)
    with pytest.raises(ConfigError, match=r"split must be one of \['train', "
                       r"'val', 'test'\], got 'valid'"):
        build_dataset(cfg, 'valid')
    with pytest.raises(ConfigError, match='has no val_dataloader.dataset'):
        build_dataset(cfg, 'val')


def test_wrappers_are_unwrapped():
    cfg = load_config(TOY)
    cfg.train_dataloader.dataset = dict(
        type='RepeatDataset', times=2, dataset=dict(
            type='ConcatDataset', datasets=[
                dict(type='ToyRegressionDataset', length=3),
                dict(type='ToyRegressionDataset', length=5)]))
    wrapped = build_dataset(cfg, 'train')
    assert isinstance(wrapped, RepeatDataset) and len(wrapped) == 16
    inner = unwrap_dataset(wrapped)
    assert type(inner).__name__ == 'ToyRegressionDataset' and len(inner) == 3
    balanced = ClassBalancedDataset(inner, oversample_thr=0.5, lazy_init=True)
    assert unwrap_dataset(balanced) is inner
    assert unwrap_dataset(ConcatDataset([inner, inner])) is inner
    assert unwrap_dataset(inner) is inner
