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


def _elsewhere_checkpoint():
    """A checkpoint as another mmengine / numpy version might write it: extra
    meta keys, HistoryBuffers (one empty), numpy arrays of several dtypes and
    shapes (empty ones included), dtype objects and numpy scalars."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    hub = dict(log_scalars={'train/loss': HistoryBuffer([0.5, 0.25], [1, 1]),
                            'val/acc': HistoryBuffer()},
               runtime_info={'iter': np.int64(7), 'keep_ckpt_ids': [5, 7]},
               resumed_keys={'iter': True})
    meta = dict(mmengine_version='0.11.0', iter=7, seed=np.int64(7),
                lr=np.float32(0.5), flag=np.bool_(True), name=np.str_('toy'),
                empty_f=np.zeros(0, np.float32), empty_i=np.zeros((0, 3), np.int64),
                scalar_arr=np.array(2.5), half=np.ones(2, np.float16),
                mask=np.array([True, False]), dtype=np.dtype('float32'),
                text_dtype=np.dtype('<U5'),
                record_dtype=np.dtype([('x', '<f4'), ('y', '<i8')]),
                future_key={'anything': (1, 2.0, 'three', None)})
    return dict(meta=meta, message_hub=hub, state_dict={'w': torch.ones(2)})


def _assert_loaded_like(loaded, saved):
    import numpy as np
    for key, value in saved['meta'].items():
        got = loaded['meta'][key]
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype and got.shape == value.shape
            np.testing.assert_array_equal(got, value)
        else:
            assert got == value and type(got) is type(value), key
    scalars = loaded['message_hub']['log_scalars']
    assert scalars['train/loss'].mean() == 0.375
    assert len(scalars['val/acc'].data[0]) == 0
    assert loaded['message_hub']['runtime_info']['iter'] == 7


def test_checkpoint_with_extra_meta_loads(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    saved = _elsewhere_checkpoint()
    torch.save(saved, tmp_path / 'ckpt.pth')
    _assert_loaded_like(_load_checkpoint(str(tmp_path / 'ckpt.pth'),
                                         map_location='cpu'), saved)


def test_checkpoint_written_under_numpy1_loads(tmp_path):
    """numpy 1.x pickles arrays and scalars as numpy.core.multiarray.*, numpy
    2.x as numpy._core.multiarray.*; both are accepted. (The protocol-2 pickle
    names globals as text, so renaming the module in the legacy torch format,
    a plain pickle stream, gives what numpy 1.x writes.)"""
    import io

    from mmengine.runner.checkpoint import _load_checkpoint
    saved = _elsewhere_checkpoint()
    buf = io.BytesIO()
    torch.save(saved, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    numpy2, numpy1 = b'numpy._core.multiarray', b'numpy.core.multiarray'
    if numpy2 in data:
        data = data.replace(numpy2, numpy1)
    assert numpy1 in data and numpy2 not in data
    (tmp_path / 'np1.pth').write_bytes(data)
    _assert_loaded_like(_load_checkpoint(str(tmp_path / 'np1.pth'),
                                         map_location='cpu'), saved)


class _GetattrReducer:
    """Pickles as ``getattr(owner, name)`` (how protocol 2 writes a method)."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


@pytest.mark.parametrize('owner_name', ['HistoryBuffer.__init__', 'ndarray.tofile'])
def test_checkpoint_getattr_is_limited_to_history_buffer_statistics(tmp_path,
                                                                   owner_name):
    """getattr is how HistoryBuffer's methods are pickled; it must not reach
    anything else (here __init__, whose __globals__ leads anywhere)."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint
    owner = dict(HistoryBuffer=HistoryBuffer, ndarray=np.ndarray)[
        owner_name.split('.')[0]]
    path = tmp_path / 'getattr.pth'
    torch.save({'meta': {'m': _GetattrReducer(owner, owner_name.split('.')[1])}},
               path)
    with pytest.raises(Exception, match='only the statistics methods'):
        _load_checkpoint(str(path), map_location='cpu')
