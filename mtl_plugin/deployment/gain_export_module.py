"""The GAIN-MTL classifier as one traceable module: image in, score and maps out."""
from typing import Tuple

import torch.nn.functional as F
from torch import Tensor, nn


class GAINExportModule(nn.Module):
    """Wrap a trained ``GAINMTL`` for export (ONNX, TorchScript).

    ``GAINMTL.predict`` returns data samples, which an exporter cannot
    trace; this module runs the same computation on tensors: the data
    preprocessor's channel flip and normalisation, the backbone, the CAM
    classifier and, when the model has them, the attention and localization
    heads, with the maps upsampled to the input size as ``predict`` does
    (tested to match it).

    Input: ``(N, 3, H, W)`` float32 image in the order and 0..255 range of the
    files (BGR for images read with OpenCV), already resized to the
    network input size of the config (``Resize`` of the test pipeline).

    Outputs (a tuple, in this order; names for ONNX in :attr:`output_names`):

    * ``scores`` ``(N, K)``: class probabilities (softmax);
    * ``cam`` ``(N, 1, H, W)``: raw upsampled CAM of the defect class;
    * ``attention`` ``(N, 1, H, W)``: sigmoid attention (attention head only);
    * ``loc`` ``(N, 1, H, W)``: localization probability (loc head only).

    The label is ``scores[:, defect_class] >= model.test_cfg['score_thr']``,
    as in ``predict``.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model.eval()
        pre = model.data_preprocessor
        self.flip_channels = bool(getattr(pre, '_channel_conversion', False))
        self.normalize = bool(getattr(pre, '_enable_normalize', False))
        self.defect_class = int(model.defect_class)

    @property
    def output_names(self) -> Tuple[str, ...]:
        names = ('scores', 'cam')
        if self.model.attention_head is not None:
            names += ('attention', )
        if self.model.loc_head is not None:
            names += ('loc', )
        return names

    def forward(self, img: Tensor) -> Tuple[Tensor, ...]:
        model = self.model
        x = img.float()
        if self.flip_channels:
            x = x.flip(1)
        if self.normalize:
            pre = model.data_preprocessor
            x = (x - pre.mean) / pre.std
        size = (int(x.shape[-2]), int(x.shape[-1]))
        feats = model.backbone(x)
        feat = model.cam_features(feats)  # the level the classifier reads
        logits, cams = model.cls_head(feat)
        dc = self.defect_class
        outputs = [logits.float().softmax(dim=1),
                   model.cam_upsampler(cams[:, dc:dc + 1], size)]
        if model.attention_head is not None:
            outputs.append(model.att_upsampler(
                model.attention_head(feat), size).sigmoid())
        if model.loc_head is not None:
            outputs.append(F.interpolate(model.loc_head(feats), size=size,
                                         mode='bilinear',
                                         align_corners=False).sigmoid())
        return tuple(outputs)
