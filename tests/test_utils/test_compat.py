"""Each compatibility fix, and a proof that the failure it fixes is real.

The "without the fix" halves run in a fresh interpreter that does not import
mtl_plugin, so they show the unpatched stack's behaviour in this environment.
"""
import importlib.metadata
import os
import subprocess
import sys

import pytest
import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.utils import compat


def _python(code: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


SAVE_CKPT = '''
import torch
from mmengine.logging import MessageHub
import numpy as np
hub = MessageHub.get_instance('ckpt_test')
for i in range(3):
    hub.update_scalar('train/loss', float(i))
hub.update_info('seed', np.int64(7))
torch.save(dict(meta=dict(message_hub=hub.state_dict(), seed=np.int64(7),
                          np_float=np.float64(0.5), arr=np.arange(3)),
                state_dict=dict(w=torch.ones(2))), {path!r})
'''

LOAD_CKPT = '''
{prefix}
from mmengine.runner.checkpoint import _load_checkpoint
ckpt = _load_checkpoint({path!r}, map_location='cpu')
print('loaded', sorted(ckpt['meta']))
'''


def test_mmengine_checkpoint_loads_under_weights_only(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    saved = _python(SAVE_CKPT.format(path=path))
    assert saved.returncode == 0, saved.stderr
    without = _python(LOAD_CKPT.format(prefix='', path=path))
    with_fix = _python(LOAD_CKPT.format(prefix='import mtl_plugin', path=path))
    assert with_fix.returncode == 0, with_fix.stderr
    assert "loaded ['arr', 'message_hub', 'np_float', 'seed']" in with_fix.stdout
    if tuple(int(x) for x in torch.__version__.split('.')[:2]) >= (2, 6):
        assert without.returncode != 0
        assert 'weights_only' in without.stderr


def test_weights_only_still_refuses_arbitrary_classes(tmp_path):
    """The fix allow-lists mmengine's types; it does not disable safety."""
    path = tmp_path / 'evil.pth'
    torch.save({'obj': subprocess.CompletedProcess(args=[], returncode=0)}, path)
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        torch.load(path, weights_only=True)


def _transformers_major() -> int:
    try:
        return int(importlib.metadata.version('transformers').split('.')[0])
    except importlib.metadata.PackageNotFoundError:
        return 0


@pytest.mark.skipif(_transformers_major() < 5,
                    reason='needs transformers >= 5 (requirements/tests.txt)')
def test_mmdet_models_import_with_transformers5():
    without = _python('import mmdet.models')
    assert without.returncode != 0
    assert 'TypeError' in without.stderr
    with_fix = _python('import mtl_plugin, mmdet.models, mmpretrain.models; '
                       'from mmpretrain.registry import MODELS; '
                       'print(MODELS.get("MobileNetV3").__name__)')
    assert with_fix.returncode == 0, with_fix.stderr
    assert 'MobileNetV3' in with_fix.stdout


@pytest.mark.skipif(_transformers_major() < 5,
                    reason='needs transformers >= 5 (requirements/tests.txt)')
def test_fix_works_when_mmpretrain_was_imported_before_mtl_plugin():
    res = _python('import mmpretrain, mtl_plugin, mmdet.models; print("ok")')
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == 'ok'


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_cpu_distributed_init(tmp_path):
    code = '''
import os, sys
os.environ.update(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                  MASTER_PORT=sys.argv[1])
{prefix}
from mmengine.dist import init_dist, get_world_size
init_dist('pytorch', backend='nccl')
print('world', get_world_size())
'''
    port = str(29600 + os.getpid() % 300)
    without = subprocess.run(
        [sys.executable, '-c', code.format(prefix=''), port],
        capture_output=True, text=True, timeout=120)
    with_fix = subprocess.run(
        [sys.executable, '-c', code.format(prefix='import mtl_plugin'), port],
        capture_output=True, text=True, timeout=120)
    assert without.returncode != 0
    assert with_fix.returncode == 0, with_fix.stderr
    assert 'world 1' in with_fix.stdout


def test_apply_all_is_idempotent():
    first = compat.apply_all()
    assert compat.apply_all() == first
    assert 'allow_mmengine_checkpoint_globals' in first
    assert 'allow_cpu_distributed_init' in first


EMPTY_BUFFER_CKPT = '''
{prefix}
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
m = torch.nn.Linear(2, 1)
save_checkpoint({{'state_dict': m.state_dict(), 'meta': {{'hb': HistoryBuffer()}}}}, {path!r})
ckpt = load_checkpoint(m, {path!r}, map_location='cpu')
print('empty buffer', len(ckpt['meta']['hb'].data[0]))
'''


def test_checkpoint_with_an_empty_history_buffer_loads(tmp_path):
    """An empty numpy array in a protocol-2 pickle is a call of builtins.bytes;
    mmengine writes one for every empty HistoryBuffer."""
    path = str(tmp_path / 'empty.pth')
    with_fix = _python(EMPTY_BUFFER_CKPT.format(prefix='import mtl_plugin', path=path))
    assert with_fix.returncode == 0, with_fix.stderr
    assert 'empty buffer 0' in with_fix.stdout
    without = _python(EMPTY_BUFFER_CKPT.format(prefix='', path=path))
    if tuple(int(x) for x in torch.__version__.split('.')[:2]) >= (2, 6):
        assert without.returncode != 0
        assert 'weights_only' in without.stderr or 'GLOBAL' in without.stderr


def test_mmengine_loader_still_refuses_arbitrary_classes(tmp_path):
    """Inside mmengine's loaders (where the allow-list is active) a class that
    is not on it is still refused."""
    from mmengine.runner.checkpoint import _load_checkpoint
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': {
        'obj': subprocess.CompletedProcess(args=[], returncode=0)}}, path)
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        _load_checkpoint(str(path), map_location='cpu')
