import pytest
import torch
from mmengine.registry import DefaultScope

from mtl_plugin.models.heads import TemperatureRetinaHead
from mtl_plugin.registry import MODELS

HEAD = dict(
    type='TemperatureRetinaHead', num_classes=1, in_channels=8, feat_channels=8,
    stacked_convs=2, norm_cfg=dict(type='BN', requires_grad=True),
    anchor_generator=dict(type='DenseAnchorGenerator', strides=[4, 8],
                          base_sizes=[32, 64]),
    init_cfg=None)


@pytest.fixture(autouse=True)
def mtl_plugin_scope():
    # RetinaHead builds its anchor generator through mmdet's registry, which
    # finds our DenseAnchorGenerator under the default scope, as in a Runner.
    with DefaultScope.overwrite_default_scope('mtl_plugin'):
        yield


def test_temperature_divides_logits_and_keeps_gradient():
    torch.manual_seed(0)
    plain = MODELS.build(dict(HEAD, cls_temperature=1.0))
    hot = MODELS.build(dict(HEAD, cls_temperature=2.5))
    hot.load_state_dict(plain.state_dict())
    plain.eval(), hot.eval()
    x = torch.randn(2, 8, 6, 6, requires_grad=True)
    cls_p, box_p = plain.forward_single(x)
    cls_h, box_h = hot.forward_single(x)
    assert cls_p.shape == (2, 20, 6, 6) and box_p.shape == (2, 80, 6, 6)
    torch.testing.assert_close(cls_h, cls_p / 2.5)
    torch.testing.assert_close(box_h, box_p)
    cls_h.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_conv_bn_relu_tower():
    head = MODELS.build(HEAD)
    assert isinstance(head, TemperatureRetinaHead)
    conv = head.cls_convs[0]
    assert conv.with_norm and isinstance(conv.bn, torch.nn.BatchNorm2d)
    assert conv.activate.__class__.__name__ == 'ReLU'


def test_rejects_non_positive_temperature():
    with pytest.raises(ValueError, match='cls_temperature'):
        MODELS.build(dict(HEAD, cls_temperature=0))
