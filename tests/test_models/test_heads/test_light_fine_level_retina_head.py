"""LightFineLevelRetinaHead: light shared tower on the finest level, RetinaHead
elsewhere, temperature on every level, per-level gradients, config errors."""
import pytest
import torch
from mmengine.registry import DefaultScope

from mtl_plugin.models.heads import LightFineLevelRetinaHead, TemperatureRetinaHead
from mtl_plugin.registry import MODELS

HEAD = dict(
    type='LightFineLevelRetinaHead', num_classes=1, in_channels=8,
    feat_channels=8, stacked_convs=2, fine_levels=1, fine_stacked_convs=1,
    fine_feat_channels=4, norm_cfg=dict(type='BN', requires_grad=True),
    anchor_generator=dict(type='DenseAnchorGenerator', strides=[4, 8, 16],
                          base_sizes=[32, 64, 128]))


@pytest.fixture(autouse=True)
def mtl_plugin_scope():
    with DefaultScope.overwrite_default_scope('mtl_plugin'):
        yield


def _levels(batch=2, channels=8):
    torch.manual_seed(0)
    return tuple(torch.randn(batch, channels, s, s, requires_grad=True)
                 for s in (8, 4, 2))


def test_fine_level_uses_the_light_tower_and_the_rest_retinahead():
    head = MODELS.build(HEAD).eval()
    x = _levels()
    cls, box = head(x)
    assert [c.shape for c in cls] == [(2, 20, s, s) for s in (8, 4, 2)]
    assert [b.shape for b in box] == [(2, 80, s, s) for s in (8, 4, 2)]
    fine_cls, fine_box = head.forward_fine(x[0])
    torch.testing.assert_close(cls[0], fine_cls)
    torch.testing.assert_close(box[0], fine_box)
    for level in (1, 2):
        c, b = head.forward_single(x[level])
        torch.testing.assert_close(cls[level], c)
        torch.testing.assert_close(box[level], b)
    # one tower of fine_stacked_convs at fine_feat_channels, shared by both
    # predictors; RetinaHead's two towers are unchanged
    assert len(head.fine_convs) == 1
    assert head.fine_convs[0].conv.out_channels == 4
    assert head.fine_cls.in_channels == head.fine_reg.in_channels == 4
    assert len(head.cls_convs) == len(head.reg_convs) == 2


def test_gradients_stay_on_each_levels_own_parameters():
    head = MODELS.build(HEAD)
    x = _levels()
    cls, box = head(x)
    (cls[0].sum() + box[0].sum()).backward()
    assert head.fine_convs[0].conv.weight.grad.abs().sum() > 0
    assert head.cls_convs[0].conv.weight.grad is None
    assert x[1].grad is None and x[0].grad.abs().sum() > 0
    head.zero_grad()
    cls, box = head(_levels())
    cls[2].sum().backward()
    assert head.retina_cls.weight.grad.abs().sum() > 0
    assert head.fine_cls.weight.grad is None


def test_temperature_divides_the_fine_logits_too():
    torch.manual_seed(0)
    plain = MODELS.build(dict(HEAD, cls_temperature=1.0)).eval()
    hot = MODELS.build(dict(HEAD, cls_temperature=2.0)).eval()
    hot.load_state_dict(plain.state_dict())
    x = _levels()
    (cls_p, box_p), (cls_h, box_h) = plain(x), hot(x)
    for a, b in zip(cls_p, cls_h):
        torch.testing.assert_close(b, a / 2.0)
    for a, b in zip(box_p, box_h):
        torch.testing.assert_close(a, b)


def test_zero_fine_levels_is_the_temperature_head():
    torch.manual_seed(0)
    light = MODELS.build(dict(HEAD, fine_levels=0)).eval()
    plain_cfg = {k: v for k, v in HEAD.items() if not k.startswith('fine')}
    plain = MODELS.build(dict(plain_cfg, type='TemperatureRetinaHead')).eval()
    assert isinstance(light, TemperatureRetinaHead)
    plain.load_state_dict(light.state_dict(), strict=False)
    x = _levels()
    for a, b in zip(light(x)[0], plain(x)[0]):
        torch.testing.assert_close(a, b)


def test_init_sets_the_focal_prior_on_both_class_predictors():
    head = MODELS.build(HEAD)
    head.init_weights()
    prior = -torch.log(torch.tensor((1 - 0.01) / 0.01))
    torch.testing.assert_close(head.fine_cls.bias, prior.expand(20))
    torch.testing.assert_close(head.retina_cls.bias, prior.expand(20))


def test_loss_runs_with_positives_on_the_fine_level():
    from mmengine.structures import InstanceData
    head = MODELS.build(dict(
        HEAD, train_cfg=dict(
            assigner=dict(type='CenterSamplingIoUAssigner', pos_iou_thr=0.3,
                          neg_iou_thr=0.2),
            sampler=dict(type='PseudoSampler'), allowed_border=-1,
            pos_weight=-1, debug=False)))
    cls, box = head(_levels(batch=1))
    gt = InstanceData(bboxes=torch.tensor([[4., 4., 20., 28.]]),
                      labels=torch.tensor([0]))
    losses = head.loss_by_feat(cls, box, [gt], [dict(img_shape=(32, 32),
                                                     pad_shape=(32, 32))])
    total = sum(sum(v) for v in losses.values())
    assert torch.isfinite(total) and total > 0
    total.backward()
    assert head.fine_reg.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('changes, match', [
    (dict(fine_levels=4), 'only 3 levels'),
    (dict(fine_levels=-1), 'fine_levels'),
    (dict(fine_stacked_convs=0), 'fine_stacked_convs'),
])
def test_config_errors_name_the_value(changes, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(HEAD, **changes))


def test_is_registered_for_configs():
    assert MODELS.get('LightFineLevelRetinaHead') is LightFineLevelRetinaHead
