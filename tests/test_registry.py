"""The plugin's registries reach mmdet, mmseg and mmpretrain modules."""
import torch
from mmengine.registry import init_default_scope

import mtl_plugin  # noqa: F401
from mtl_plugin.registry import METRICS, MODELS, SCOPE, TRANSFORMS


def test_scope_name():
    assert SCOPE == 'mtl_plugin'
    assert MODELS.scope == 'mtl_plugin'
    assert MODELS.parent.scope == 'mmdet'


def test_build_mmdet_mmseg_mmpretrain_modules_from_plugin_scope():
    init_default_scope('mtl_plugin')
    # mmdet module without prefix (parent registry).
    fpn = MODELS.build(dict(type='FPN', in_channels=[8, 16], out_channels=4,
                            num_outs=2))
    assert type(fpn).__module__.startswith('mmdet.')
    # mmpretrain module with its scope prefix.
    backbone = MODELS.build(dict(type='mmpretrain.MobileNetV3', arch='small',
                                 out_indices=(12, )))
    assert type(backbone).__module__.startswith('mmpretrain.')
    backbone.eval()
    out = backbone(torch.zeros(1, 3, 32, 32))
    assert out[-1].shape[1] == 576
    # mmseg metric and transform with their scope prefix.
    metric = METRICS.build(dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']))
    assert type(metric).__module__.startswith('mmseg.')
    transform = TRANSFORMS.build(dict(type='mmseg.LoadAnnotations'))
    assert type(transform).__module__.startswith('mmseg.')


def test_plugin_modules_registered_on_import():
    assert TRANSFORMS.get('PackMultiTaskInputs') is not None


def test_mmdet_hooks_and_visualizers_resolve_from_plugin_scope():
    """A parent registry's modules are found only once imported; importing
    mtl_plugin registers mmdet's, so configs need no extra custom_imports."""
    from mtl_plugin.registry import HOOKS, VISUALIZERS
    assert HOOKS.get('DetVisualizationHook') is not None
    assert VISUALIZERS.get('DetLocalVisualizer') is not None
