"""Float32Loss: same value as the wrapped mmdet loss, float32 inside autocast,
attributes and head wiring as the unwrapped loss."""
import copy
import math
import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope

import mtl_plugin  # noqa: F401
from mtl_plugin.models.losses import Float32Loss
from mtl_plugin.registry import MODELS

FOCAL = dict(use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)


def _focal_reference(logit: float, positive: bool) -> float:
    """Sigmoid focal loss of one logit (Lin et al., ICCV 2017)."""
    p = 1.0 / (1.0 + math.exp(-logit))
    if positive:
        return -0.25 * (1 - p)**2 * math.log(p)
    return -0.75 * p**2 * math.log(1 - p)


def test_value_is_the_focal_loss_known_answer():
    # Two locations, two classes; labels: class 1, background (index 2).
    pred = torch.tensor([[0.0, 2.0], [-1.0, 0.5]])
    labels = torch.tensor([1, 2])
    want = (_focal_reference(0.0, False) + _focal_reference(2.0, True) +
            _focal_reference(-1.0, False) + _focal_reference(0.5, False))
    got = Float32Loss('FocalLoss', **FOCAL)(pred, labels, reduction_override='sum')
    assert got.item() == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize('loss_type, kwargs, make', [
    ('FocalLoss', FOCAL,
     lambda g: (torch.randn(16, 3, generator=g),
                torch.randint(0, 4, (16, ), generator=g))),
    ('GIoULoss', dict(loss_weight=1.0),
     lambda g: (torch.tensor([[0., 0., 10., 10.], [5., 5., 20., 25.]]),
                torch.tensor([[1., 2., 11., 9.], [4., 8., 18., 30.]]))),
    ('CrossEntropyLoss', dict(use_sigmoid=True),
     lambda g: (torch.randn(8, generator=g),
                (torch.rand(8, generator=g) > 0.5).float())),
])
def test_equals_the_unwrapped_loss_in_float32(loss_type, kwargs, make):
    g = torch.Generator().manual_seed(0)
    pred, target = make(g)
    plain = MODELS.build(dict(type=loss_type, **kwargs))
    wrapped = Float32Loss(loss_type, **kwargs)
    assert torch.equal(wrapped(pred, target), plain(pred, target))


class _DtypeSpy(nn.Module):
    """Records the dtype it receives and whether autocast is on."""

    def forward(self, pred, target, avg_factor=None):
        self.seen = (pred.dtype, target.dtype,
                     torch.is_autocast_enabled('cpu'))
        return (pred.sigmoid() * target).sum()


def test_wrapped_loss_sees_float32_with_autocast_off():
    loss = Float32Loss('FocalLoss', **FOCAL)
    loss.loss = _DtypeSpy()
    pred = torch.randn(4, 2).bfloat16().requires_grad_()
    target = torch.rand(4, 2).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = loss(pred, target, avg_factor=torch.tensor(2.0).bfloat16())
    assert loss.loss.seen == (torch.float32, torch.float32, False)
    assert out.dtype == torch.float32
    out.backward()
    # The gradient reaches the half-precision prediction, in its dtype.
    assert pred.grad is not None and pred.grad.dtype == torch.bfloat16
    assert pred.grad.abs().sum() > 0


def test_under_bf16_autocast_value_is_the_float32_value_of_the_input():
    g = torch.Generator().manual_seed(1)
    pred = torch.randn(32, 3, generator=g).bfloat16()
    labels = torch.randint(0, 4, (32, ), generator=g)
    plain = MODELS.build(dict(type='FocalLoss', **FOCAL))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        got = Float32Loss('FocalLoss', **FOCAL)(pred, labels)
    assert got.dtype == torch.float32
    assert torch.equal(got, plain(pred.float(), labels))


def test_attributes_of_the_wrapped_loss_are_reachable():
    loss = Float32Loss('FocalLoss', **FOCAL)
    assert loss.use_sigmoid is True
    assert loss.loss_weight == 1.0 and loss.gamma == 2.0
    assert getattr(loss, 'custom_activation', False) is False
    with pytest.raises(AttributeError):
        loss.no_such_attribute
    # copies and pickles (checkpoints, deepcopy of EMA models) still work
    assert copy.deepcopy(loss).gamma == 2.0
    assert pickle.loads(pickle.dumps(loss)).alpha == 0.25


def test_fcos_head_builds_with_the_same_channels_and_sigmoid():
    init_default_scope('mtl_plugin')
    head = dict(type='FCOSHead', num_classes=3, in_channels=8,
                feat_channels=8, stacked_convs=1, strides=[8, 16],
                norm_cfg=None)
    plain = MODELS.build(dict(head, loss_cls=dict(type='FocalLoss', **FOCAL)))
    wrapped = MODELS.build(dict(
        head, loss_cls=dict(type='Float32Loss', loss_type='FocalLoss', **FOCAL)))
    assert wrapped.use_sigmoid_cls and wrapped.cls_out_channels == 3
    assert wrapped.conv_cls.out_channels == plain.conv_cls.out_channels


def test_config_errors_name_the_problem():
    with pytest.raises(KeyError, match="loss_type='NoSuchLoss'"):
        Float32Loss('NoSuchLoss')
    with pytest.raises(ValueError, match='must name the wrapped loss'):
        Float32Loss('Float32Loss')
