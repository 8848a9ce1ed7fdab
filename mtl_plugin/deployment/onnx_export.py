"""Export a traceable module to ONNX and check it with onnxruntime."""
import importlib.util
import warnings
from typing import List, Sequence

import numpy as np
import torch
from torch import Tensor, nn

#: the ``deploy`` extra (requirements/deploy.txt)
ONNX_PACKAGES = ('onnx', 'onnxruntime')


def missing_onnx_packages() -> List[str]:
    """Packages of the ``deploy`` extra that are not installed."""
    return [p for p in ONNX_PACKAGES if importlib.util.find_spec(p) is None]


def export_onnx(module: nn.Module, example: Tensor, path: str,
                output_names: Sequence[str], opset: int = 17,
                dynamic_batch: bool = True) -> str:
    """Trace ``module`` on ``example`` ``(N, 3, H, W)`` and write ``path``.

    Uses torch's TorchScript-based exporter (``dynamo=False``): the dynamo
    exporter, torch's default since 2.9, needs the extra ``onnxscript``
    package and gives the same graph for these convolutional models. The
    input is named ``img``; with ``dynamic_batch`` its first axis and that
    of every output is the symbolic ``batch`` (height and width stay those
    of ``example``: the maps are upsampled to them). The written model is
    checked with ``onnx.checker``.
    """
    missing = missing_onnx_packages()
    if missing:
        raise ImportError(f'ONNX export needs {missing}: pip install -r '
                          'requirements/deploy.txt (or MTL_EXTRAS=deploy '
                          'tools/install.sh)')
    import onnx
    axes = {name: {0: 'batch'} for name in ('img', *output_names)} \
        if dynamic_batch else None
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter is deprecated in favour of dynamo
        warnings.simplefilter('ignore', DeprecationWarning)
        torch.onnx.export(module.eval(), (example, ), path, dynamo=False,
                          input_names=['img'], output_names=list(output_names),
                          dynamic_axes=axes, opset_version=opset,
                          do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    return path


def onnx_session(path: str, threads: int = 0):
    """onnxruntime CPU session of ``path`` (``threads`` 0: its default)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


def run_onnx(session, img: np.ndarray) -> List[np.ndarray]:
    """Outputs of an onnxruntime session for ``img`` ``(N, 3, H, W)`` float32."""
    return session.run(None, {'img': np.ascontiguousarray(img, dtype=np.float32)})
