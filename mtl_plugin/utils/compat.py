"""Compatibility fixes for the pinned OpenMMLab stack on current torch/transformers.

Applied once by ``import mtl_plugin`` (before any OpenMMLab model module is
imported). Each fix is narrow, idempotent, and has a test in
tests/test_utils/test_compat.py that fails without it:

1. :func:`allow_mmengine_checkpoint_globals`: torch >= 2.6 loads checkpoints
   with ``weights_only=True``; mmengine 0.10.7's ``load_checkpoint`` and
   ``--resume`` then fail on mmengine's own checkpoints, whose ``message_hub``
   holds :class:`HistoryBuffer` objects and numpy arrays/scalars (empty ones
   included). Inside
   mmengine's checkpoint loaders only, we allow-list exactly those types in
   torch's safe unpickler, under the names numpy 1.x and 2.x both write
   (safety stays on: arbitrary classes are still refused, and other
   ``torch.load`` calls are unaffected).
2. :func:`disable_mmpretrain_multimodal_on_transformers5`: mmpretrain 1.2.0's
   multimodal models (BLIP, Flamingo, ...) were written for transformers 4.x;
   with transformers >= 5 installed, importing them raises
   ``TypeError: NoneType takes no arguments``, and ``import mmdet.models``
   fails with it (mmdet's ReID modules import mmpretrain). We make mmpretrain
   register its multimodal models as placeholders instead, as it does when
   transformers is absent (using one raises mmpretrain's "install
   transformers" error); every other mmpretrain model is unaffected.
3. :func:`allow_cpu_distributed_init`: mmengine 0.10.7 calls
   ``torch.cuda.set_device`` unconditionally for ``--launcher pytorch``, which
   fails on machines without a GPU; we skip it there and use gloo.
"""
import contextlib
import functools
import importlib
import importlib.abc
import importlib.metadata
import sys
import warnings
from typing import List

_APPLIED: List[str] = []


def _major(version: str) -> int:
    try:
        return int(version.split('.')[0])
    except ValueError:
        return 0


def _version(version: str) -> tuple:
    """``'2.6.0+cu124'`` -> ``(2, 6)``."""
    parts = version.split('+')[0].split('.')[:2]
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


# HistoryBuffer's statistics methods (mmengine 0.x), pickled by reference.
HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def history_buffer_statistic(owner, name: str):
    """Stands in for ``builtins.getattr`` while a checkpoint is unpickled.

    With protocol 2 a method is pickled as ``getattr(HistoryBuffer, 'mean')``;
    allowing ``getattr`` itself would let a pickle reach any attribute of an
    allowed class (``__init__.__globals__``, ...). Only those methods pass.
    """
    import pickle

    from mmengine.logging.history_buffer import HistoryBuffer
    if owner is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({owner!r}, {name!r}); only the statistics '
        f'methods {HISTORY_BUFFER_STATISTICS} of HistoryBuffer are allowed')


def mmengine_checkpoint_globals() -> list:
    """The non-tensor types an mmengine 0.x checkpoint pickles, as entries of
    ``torch.serialization.safe_globals`` (an object, or ``(object, name)``
    where the pickle names it differently).

    ``message_hub`` holds :class:`HistoryBuffer` objects (numpy arrays inside,
    and their statistics methods, see :func:`history_buffer_statistic`), and
    ``meta`` may hold numpy scalars and dtypes. mmengine pickles with protocol
    2, where the data of an *empty* array (an empty ``HistoryBuffer``) is an
    empty ``bytes`` object, written as a call of ``builtins.bytes``; non-empty
    data goes through ``_codecs.encode``, which torch already allows.
    """
    import builtins

    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer

    safe = [HistoryBuffer, np.ndarray, np.dtype, builtins.bytes,
            (history_buffer_statistic, 'builtins.getattr')]
    # numpy rebuilds arrays and scalars with these functions, which numpy 1.x
    # pickles as numpy.core.multiarray.* and numpy 2.x as
    # numpy._core.multiarray.*: accept both, so that checkpoints written on
    # either side load.
    reconstruct = np.zeros(0).__reduce__()[0]
    scalar = np.float64(0).__reduce__()[0]
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        safe += [(reconstruct, f'{module}._reconstruct'),
                 (scalar, f'{module}.scalar')]
    # Concrete dtype classes (numpy >= 1.25), e.g. numpy.dtypes.Float64DType.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        safe += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return safe


@contextlib.contextmanager
def mmengine_checkpoint_loading():
    """Context in which ``torch.load(weights_only=True)`` accepts the types of
    :func:`mmengine_checkpoint_globals` (and still refuses everything else)."""
    import torch
    if _version(torch.__version__) < (2, 6):
        # weights_only defaults to False there (and named entries of
        # safe_globals do not exist yet).
        yield
        return
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        yield


def allow_mmengine_checkpoint_globals() -> bool:
    """Wrap mmengine's checkpoint loaders in :func:`mmengine_checkpoint_loading`.

    Every path mmengine reads checkpoints through (``load_checkpoint``,
    ``Runner.resume``, ``Runner.load_checkpoint``) goes through the loaders of
    ``CheckpointLoader._schemes``; the allow-list is active only inside them,
    not for other ``torch.load`` calls.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    def wrap(loader):
        if getattr(loader, '_mtl_plugin_patched', False):
            return loader

        @functools.wraps(loader)
        def load(*args, **kwargs):
            with mmengine_checkpoint_loading():
                return loader(*args, **kwargs)

        load._mtl_plugin_patched = True
        return load

    for prefix, loader in list(CheckpointLoader._schemes.items()):
        CheckpointLoader._schemes[prefix] = wrap(loader)
    return True


class _MultimodalSwitchFinder(importlib.abc.MetaPathFinder):
    """Sets ``WITH_MULTIMODAL = False`` right after mmpretrain computes it.

    Hooking exactly ``mmpretrain.utils.dependency`` works whatever imports
    mmpretrain first (``import mmpretrain`` itself, mmdet's ReID modules or a
    config's ``custom_imports``), as long as mtl_plugin is imported before.
    """
    target = 'mmpretrain.utils.dependency'

    def find_spec(self, fullname, path, target=None):
        if fullname != self.target:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                exec_module = spec.loader.exec_module

                def exec_and_switch(module, _exec=exec_module):
                    _exec(module)
                    module.WITH_MULTIMODAL = False

                spec.loader.exec_module = exec_and_switch
                return spec
        return None


def disable_mmpretrain_multimodal_on_transformers5() -> bool:
    """Make mmpretrain skip its multimodal models when transformers >= 5.

    Returns True when the switch is in place. Returns False (and changes
    nothing) when transformers is absent or older than 5.
    """
    try:
        tf_version = importlib.metadata.version('transformers')
    except importlib.metadata.PackageNotFoundError:
        return False
    if _major(tf_version) < 5:
        return False
    module = sys.modules.get(_MultimodalSwitchFinder.target)
    if module is not None:
        if 'mmpretrain.models' in sys.modules:
            warnings.warn('mmpretrain.models was imported before mtl_plugin '
                          'with transformers >= 5; import mtl_plugin first')
        module.WITH_MULTIMODAL = False
    elif not any(isinstance(f, _MultimodalSwitchFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MultimodalSwitchFinder())
    return True


def allow_cpu_distributed_init() -> bool:
    """Let mmengine's pytorch launcher initialise on machines without CUDA."""
    import torch
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils

    original = dist_utils._init_dist_pytorch
    if getattr(original, '_mtl_plugin_patched', False):
        return True

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        # No GPU: NCCL cannot work and torch.cuda.set_device would raise.
        if backend == 'nccl':
            backend = 'gloo'
        torch_dist.init_process_group(backend=backend, **kwargs)

    _init_dist_pytorch._mtl_plugin_patched = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch
    return True


def apply_all() -> List[str]:
    """Apply every fix once; return the names of the fixes that took effect."""
    if not _APPLIED:
        for fix in (allow_mmengine_checkpoint_globals,
                    disable_mmpretrain_multimodal_on_transformers5,
                    allow_cpu_distributed_init):
            if fix():
                _APPLIED.append(fix.__name__)
    return list(_APPLIED)
