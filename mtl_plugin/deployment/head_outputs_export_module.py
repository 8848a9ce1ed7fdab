"""A detector's raw head outputs as one traceable module (multi-task
detector-segmentor, retail RetinaNet)."""
from typing import Any, List, Tuple

from torch import Tensor, nn

from .export_preprocessor import ExportPreprocessor


def _flatten(value: Any, name: str, out: List[Tuple[str, Tensor]]) -> None:
    if isinstance(value, Tensor):
        out.append((name, value))
    elif isinstance(value, dict):
        for key in value:
            _flatten(value[key], f'{name}_{key}' if name else str(key), out)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _flatten(item, f'{name}_{i}' if name else str(i), out)
    else:
        raise TypeError(f'cannot export a head output of type {type(value).__name__} '
                        f'({name})')


class HeadOutputsExportModule(nn.Module):
    """Wrap a model whose ``_forward(inputs)`` returns its raw head outputs
    (mmdet detectors, ``MultiTaskDetSegmentor``) for export.

    The graph holds the data preprocessor's channel flip and normalisation,
    the backbone, neck and heads; box decoding and NMS stay outside it, in
    the model's own post-processing (mmdet's ``predict_by_feat``), because
    NMS runs mmcv's compiled ``nms`` op, for which mmcv 2.x has no ONNX
    symbolic (mmdeploy registers a custom one).

    Input: ``(N, 3, H, W)`` float32 image, 0..255, file channel order (BGR),
    already resized and padded as the test pipeline and the data
    preprocessor's ``pad_size_divisor`` would. Outputs: every tensor of the
    nested outputs, flattened depth-first; :meth:`output_names` names them
    (``det_0_1``: task ``det``, first output group, level 1).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model.eval()
        self.preprocess = ExportPreprocessor(model.data_preprocessor)

    def named_outputs(self, img: Tensor) -> List[Tuple[str, Tensor]]:
        out: List[Tuple[str, Tensor]] = []
        _flatten(self.model._forward(self.preprocess(img)), '', out)
        return out

    def output_names(self, img: Tensor) -> List[str]:
        return [name for name, _ in self.named_outputs(img)]

    def forward(self, img: Tensor) -> Tuple[Tensor, ...]:
        return tuple(t for _, t in self.named_outputs(img))
