"""Command-line options of tools/train.py and tools/test.py turned into config
changes (mtl_plugin.apis.run_setup)."""
from argparse import Namespace

import pytest
import torch

from mtl_plugin.apis.run_setup import setup_test_cfg, setup_train_cfg
from mtl_plugin.utils.config_checks import ConfigError

from mtl_test_utils import REPO, TEST_DATA

TOY = f'{REPO}/tests/data/configs/toy_train.py'


@pytest.fixture(autouse=True)
def toy_modules_importable(monkeypatch):
    """The toy config's custom_imports name tests/data/toy_modules.py."""
    monkeypatch.syspath_prepend(TEST_DATA)


def _train_args(**kw):
    args = dict(config=TOY, work_dir=None, amp=False, amp_dtype=None,
                auto_scale_lr=False, resume=None, tensorboard=False, cfg_options=None,
                launcher='none', allow_new_keys=False)
    args.update(kw)
    return Namespace(**args)


def _fake_gpu(monkeypatch, bf16=True):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: bf16)


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_dtype_without_gpu_is_a_clear_error():
    with pytest.raises(ConfigError, match='--amp-dtype bfloat16 needs a CUDA GPU'):
        setup_train_cfg(_train_args(amp_dtype='bfloat16'))


def test_amp_is_float16_with_dynamic_loss_scale(monkeypatch):
    _fake_gpu(monkeypatch)
    cfg = setup_train_cfg(_train_args(amp=True))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'float16'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    # the optimizer itself is untouched
    assert cfg.optim_wrapper.optimizer.type == 'SGD'


def test_amp_dtype_bfloat16_does_not_scale_the_loss(monkeypatch):
    _fake_gpu(monkeypatch)
    cfg = setup_train_cfg(_train_args(amp_dtype='bfloat16'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.loss_scale == 1.0  # static scale 1: no scaling


def test_amp_dtype_bfloat16_on_a_gpu_without_bf16(monkeypatch):
    _fake_gpu(monkeypatch, bf16=False)
    with pytest.raises(ConfigError, match='no bfloat16 support'):
        setup_train_cfg(_train_args(amp_dtype='bfloat16'))


def test_auto_scale_lr_enables_the_config_setting(tmp_path):
    cfg_file = tmp_path / 'scaled.py'
    cfg_file.write_text(f"_base_ = '{TOY}'\n"
                        "auto_scale_lr = dict(enable=False, base_batch_size=16)\n")
    cfg = setup_train_cfg(_train_args(config=str(cfg_file), auto_scale_lr=True))
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=16)


def test_auto_scale_lr_without_base_batch_size_is_named():
    with pytest.raises(ConfigError, match='auto_scale_lr.base_batch_size'):
        setup_train_cfg(_train_args(auto_scale_lr=True))


def test_relative_show_dir_is_left_for_the_hook_to_place(tmp_path):
    """mmdet's convention: a relative --show-dir lands under
    <work_dir>/<timestamp>/ (the visualization hooks join it); an absolute
    one is kept."""
    cfg_file = tmp_path / 'vis.py'
    cfg_file.write_text(
        f"_base_ = '{TOY}'\n"
        "default_hooks = dict(visualization=dict(type='GAINVisualizationHook', "
        "draw=False))\n")
    args = Namespace(config=str(cfg_file), checkpoint='x.pth', work_dir=None,
                     out=None, show_dir='panels', cfg_options=None,
                     launcher='none', allow_new_keys=False)
    cfg = setup_test_cfg(args)
    hook = cfg.default_hooks.visualization
    assert hook.draw is True and hook.test_out_dir == 'panels'
    args.show_dir = str(tmp_path / 'abs')
    assert setup_test_cfg(args).default_hooks.visualization.test_out_dir == \
        str(tmp_path / 'abs')
