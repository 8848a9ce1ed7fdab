"""tools/train.py and tools/test.py: a full run, and clear errors on bad input
before any long work starts."""
import json
import pickle

import pytest
import torch

from mtl_test_utils import REPO

TOY = f'{REPO}/tests/data/configs/toy_train.py'


def test_train_then_test_prints_table_saves_json_and_predictions(run_tool, tmp_path):
    work = tmp_path / 'work'
    res = run_tool('train.py', TOY, '--work-dir', work, '--cfg-options',
                   'train_cfg.max_iters=5')
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'eta:' in res.stdout + res.stderr  # progress with ETA in the log
    ckpt = work / 'iter_5.pth'
    assert ckpt.is_file()

    out = tmp_path / 'preds.pkl'
    res = run_tool('test.py', TOY, ckpt, '--work-dir', work, '--out', out)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'toy/mse' in res.stdout
    metrics = json.loads((work / 'metrics.json').read_text())
    assert set(metrics) == {'toy/mse'}
    assert metrics['toy/mse'] >= 0.0
    # the printed table shows the same value as the JSON file
    assert f"{metrics['toy/mse']:.4f}" in res.stdout
    preds = pickle.loads(out.read_bytes())
    assert len(preds) == 16 and 'pred' in preds[0]


def test_missing_config_file(run_tool, tmp_path):
    res = run_tool('train.py', tmp_path / 'nope.py')
    assert res.returncode != 0
    assert 'config file not found' in res.stderr and 'nope.py' in res.stderr


def test_unknown_cfg_option_key_is_rejected_with_suggestion(run_tool, tmp_path):
    res = run_tool('train.py', TOY, '--work-dir', tmp_path, '--cfg-options',
                   'train_cfg.max_iter=3')
    assert res.returncode != 0
    assert "key 'max_iter' does not exist under train_cfg" in res.stderr
    assert 'max_iters' in res.stderr
    assert not list(tmp_path.glob('*/*.log'))  # failed before the Runner started


def test_misspelt_top_level_key_is_rejected(run_tool, tmp_path):
    cfg = tmp_path / 'typo.py'
    cfg.write_text(f"_base_ = '{TOY}'\ntrian_cfg = dict(max_iters=3)\n")
    res = run_tool('train.py', cfg, '--work-dir', tmp_path / 'w')
    assert res.returncode != 0
    assert "'trian_cfg'" in res.stderr and "'train_cfg'" in res.stderr


def test_missing_dataset_path_is_named(run_tool, tmp_path):
    missing = tmp_path / 'no_such_dataset'
    res = run_tool('train.py', TOY, '--work-dir', tmp_path / 'w', '--allow-new-keys',
                   '--cfg-options', f'train_dataloader.dataset.data_root={missing}')
    assert res.returncode != 0
    assert 'train_dataloader.dataset.data_root' in res.stderr
    assert str(missing) in res.stderr


def test_checkpoint_that_does_not_match_the_model(run_tool, tmp_path):
    bad = tmp_path / 'bad.pth'
    torch.save(dict(state_dict={'fc.weight': torch.zeros(3, 4),
                                'head.bias': torch.zeros(1)}), bad)
    res = run_tool('test.py', TOY, bad, '--work-dir', tmp_path / 'w')
    assert res.returncode != 0
    assert 'does not match the model' in res.stderr
    assert 'fc.weight model (1, 4) vs checkpoint (3, 4)' in res.stderr
    assert 'head.bias' in res.stderr and 'fc.bias' in res.stderr


def test_missing_checkpoint(run_tool, tmp_path):
    res = run_tool('test.py', TOY, tmp_path / 'none.pth', '--work-dir', tmp_path)
    assert res.returncode != 0
    assert 'checkpoint not found' in res.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_without_gpu_is_a_clear_error(run_tool, tmp_path):
    res = run_tool('train.py', TOY, '--amp', '--work-dir', tmp_path)
    assert res.returncode != 0
    assert '--amp needs a CUDA GPU' in res.stderr
