"""Deliberately broken modules for the planted-fault tests of the diagnostics.

Registered in mmseg's registries (the tiny test configs use scope 'mmseg').
"""
import numpy as np
import torch
import torch.nn.functional as F
from mmseg.evaluation import IoUMetric
from mmseg.models.decode_heads import FCNHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import METRICS, MODELS
from torch import nn


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
