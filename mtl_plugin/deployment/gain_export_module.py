"""The GAIN-MTL classifier as one traceable module: image in, scores, maps and
labels out."""
from typing import List, Tuple

from torch import Tensor, nn

from .export_preprocessor import ExportPreprocessor

#: outputs of ``GAINMTL._forward`` that are exported, in this order
EXPORTED_OUTPUTS = ('scores', 'cam', 'attention', 'loc', 'labels')


class GAINExportModule(nn.Module):
    """Wrap a trained ``GAINMTL`` for export (ONNX, TorchScript).

    The graph is the data preprocessor's channel flip and normalisation
    (:class:`ExportPreprocessor`) followed by the model's own tensor forward
    (``GAINMTL._forward``, what ``predict`` computes), so the exported
    scores, maps and labels are ``predict``'s (tested).

    Input: ``(N, 3, H, W)`` float32 image in the order and 0..255 range of the
    files (BGR for images read with OpenCV), already resized to the network
    input size of the config (``Resize`` of the test pipeline).

    Outputs (a tuple in the order of :meth:`output_names`):

    * ``scores`` ``(N, K)``: class probabilities (softmax);
    * with ``test_cfg.with_maps``: ``cam`` ``(N, 1, H, W)`` (raw upsampled
      defect CAM), ``attention`` (sigmoid attention, attention head only),
      ``loc`` (localization probability, loc head only);
    * ``labels`` ``(N,)`` int64: the defect class iff ``scores[:,
      defect_class] >= test_cfg.score_thr`` (the threshold of the model at
      export time, also in the file's metadata).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model.eval()
        self.preprocess = ExportPreprocessor(model.data_preprocessor)

    def _outputs(self, img: Tensor) -> dict:
        out = self.model._forward(self.preprocess(img))
        return {name: out[name] for name in EXPORTED_OUTPUTS if name in out}

    def output_names(self, img: Tensor) -> List[str]:
        """Names of the outputs for an example input ``img``."""
        return list(self._outputs(img))

    def forward(self, img: Tensor) -> Tuple[Tensor, ...]:
        return tuple(self._outputs(img).values())
