"""Deliberately broken modules for the planted-fault tests of the diagnostics.

The segmentation modules are registered in mmseg's registries (the tiny test
configs use scope 'mmseg'); the faulty versions of the package's own metrics
in the plugin's.
"""
import torch
import torch.nn.functional as F
from mmseg.evaluation import IoUMetric
from mmseg.models.decode_heads import FCNHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import METRICS, MODELS
from torch import nn

from mtl_plugin.evaluation.metrics import (CAMMetric, DefectClsMetric,
                                           DenseCocoMetric)
from mtl_plugin.registry import METRICS as PLUGIN_METRICS


@MODELS.register_module()
class ConstantDecodeHead(BaseDecodeHead):
    """Logits ``(N, num_classes, h, w)`` from a learned bias only: the input
    features are ignored."""

    def __init__(self, **kwargs):
        kwargs.pop('num_convs', None)
        kwargs.pop('concat_input', None)
        super().__init__(**kwargs)
        self.bias = nn.Parameter(torch.zeros(self.out_channels, 1, 1))

    def forward(self, inputs):
        x = self._transform_inputs(inputs)
        n, _, h, w = x.shape
        return self.bias.unsqueeze(0).expand(n, -1, h, w) + 0 * self.conv_seg.bias.sum()


@MODELS.register_module()
class BatchStatsDecodeHead(FCNHead):
    """FCNHead that normalises its features with the statistics of the current
    batch even in eval mode, so a sample's output depends on its batch mates."""

    def forward(self, inputs):
        x = self._forward_feature(inputs)
        x = F.batch_norm(x, None, None, training=True)
        return self.cls_seg(x)


@METRICS.register_module()
class IoUMetricDroppingLastClass(IoUMetric):
    """IoUMetric whose mean leaves out the last class."""

    def compute_metrics(self, results):
        trimmed = [tuple(r[:-1] for r in res) for res in results]
        classes = self.dataset_meta['classes']
        self.dataset_meta = dict(self.dataset_meta, classes=classes[:-1])
        try:
            return super().compute_metrics(trimmed)
        finally:
            self.dataset_meta = dict(self.dataset_meta, classes=classes)


@MODELS.register_module()
class ExtraPassEncoderDecoder(EncoderDecoder):
    """EncoderDecoder that, in training, also runs the backbone on a blank
    bright image (as GAIN-style masked-image passes do): BatchNorm running
    statistics then mix two input distributions and eval-mode predictions
    break while train-mode ones are fine."""

    def loss(self, inputs, data_samples):
        self.extract_feat(torch.full_like(inputs, 3.0))
        return super().loss(inputs, data_samples)


@PLUGIN_METRICS.register_module()
class DenseCocoMetricCappedAt100(DenseCocoMetric):
    """Names its results after ``max_dets`` but computes them at 100
    detections per image (mmdet CocoMetric's cap)."""

    def compute_metrics(self, results):
        wanted, self.max_dets = self.max_dets, 100
        try:
            out = super().compute_metrics(results)
        finally:
            self.max_dets = wanted
        return {k.replace('@100', f'@{wanted}'): v for k, v in out.items()}


@PLUGIN_METRICS.register_module()
class DefectClsMetricMacroAverage(DefectClsMetric):
    """Reports precision / recall / F1 averaged over both classes (mmpretrain's
    default) instead of the defect class's: it ignores ``pos_index``."""

    def compute_metrics(self, results):
        from mmpretrain.evaluation.metrics import SingleLabelMetric
        out = super().compute_metrics(results)
        scores = torch.stack([r['score'] for r in results])
        labels = torch.tensor([r['label'] for r in results])
        [(p, r, f1, _)] = SingleLabelMetric.calculate(
            scores, labels, thrs=(0., ), average='macro',
            num_classes=scores.shape[1])
        out.update(precision=float(p) / 100, recall=float(r) / 100,
                   f1=float(f1) / 100)
        return out


@PLUGIN_METRICS.register_module()
class CAMMetricWithoutMinMax(CAMMetric):
    """Thresholds the raw map for CAM-IoU (no per-image min-max
    normalisation)."""

    def _map_stats(self, raw, gt):
        stats = super()._map_stats(raw, gt)
        on = raw >= self.threshold
        union = (on | gt).sum().item()
        stats['iou'] = (on & gt).sum().item() / union if union else 1.0
        return stats
