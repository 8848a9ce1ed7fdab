import math
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.logging import MessageHub

from mtl_plugin.engine.hooks import LossWeightSchedulerHook, schedule_value


class ToyModel(nn.Module):

    def __init__(self):
        super().__init__()
        self.loss_weights = dict(cls=1.0, loc=0.2, cf=0.0)
        self.gt_fusion_alpha = 0.5


def make_runner(max_iters=100, max_epochs=10):
    return SimpleNamespace(
        model=ToyModel(), iter=0, max_iters=max_iters, epoch=0,
        max_epochs=max_epochs,
        message_hub=MessageHub.get_instance('test_loss_weight_scheduler'))


def run_to(hook, runner, it):
    runner.iter = it
    hook.before_train_iter(runner, batch_idx=it)
    return runner.model


def test_loc_warmup_linear_to_configured_value():
    hook = LossWeightSchedulerHook(schedules=dict(loc=dict(start=0.0,
                                                           until=0.5)))
    runner = make_runner()
    hook.before_train(runner)
    expected = {0: 0.0, 10: 0.04, 25: 0.1, 50: 0.2, 99: 0.2}
    for it, value in expected.items():
        assert run_to(hook, runner, it).loss_weights['loc'] == pytest.approx(
            value)
    scalars = runner.message_hub.log_scalars['train/loc']
    assert scalars.current() == pytest.approx(0.2)


@pytest.mark.parametrize('curve,at35,at70', [
    ('linear', 0.25, 0.0),
    ('cosine', 0.25, 0.0),
    ('step', 0.25, 0.0),
])
def test_alpha_decay_curves(curve, at35, at70):
    hook = LossWeightSchedulerHook(schedules=dict(gt_fusion_alpha=dict(
        start=0.5, end=0.0, until=0.7, curve=curve, num_steps=2)))
    runner = make_runner()
    hook.before_train(runner)
    assert run_to(hook, runner, 0).gt_fusion_alpha == pytest.approx(0.5)
    assert run_to(hook, runner, 35).gt_fusion_alpha == pytest.approx(at35)
    assert run_to(hook, runner, 70).gt_fusion_alpha == pytest.approx(at70)
    alpha14 = run_to(hook, runner, 14).gt_fusion_alpha  # u = 0.2
    assert alpha14 == pytest.approx({
        'linear': 0.5 - 0.5 * 0.2,
        'cosine': 0.5 * (1 + math.cos(math.pi * 0.2)) / 2,
        'step': 0.5,
    }[curve])


def test_stages_switch_terms_on_and_by_epoch():
    hook = LossWeightSchedulerHook(
        stages=[dict(at=0.5, values=dict(cf=0.1)),
                dict(at=0.2, values=dict(loc=0.0))],
        by_epoch=True)
    runner = make_runner(max_epochs=10)
    hook.before_train(runner)
    runner.epoch = 1
    model = run_to(hook, runner, 5)
    assert model.loss_weights['cf'] == 0.0 and model.loss_weights['loc'] == 0.2
    runner.epoch = 2
    model = run_to(hook, runner, 25)
    assert model.loss_weights['loc'] == 0.0 and model.loss_weights['cf'] == 0.0
    runner.epoch = 5
    assert run_to(hook, runner, 55).loss_weights['cf'] == pytest.approx(0.1)


def test_schedule_value_helper_and_errors():
    assert schedule_value(0.75, 1.0, 0.0, begin=0.5, until=1.0) == 0.5
    assert schedule_value(0.1, 1.0, 0.0, begin=0.5) == 1.0
    with pytest.raises(ValueError, match='curve'):
        LossWeightSchedulerHook(schedules=dict(loc=dict(start=0, curve='exp')))
    with pytest.raises(ValueError, match='begin'):
        LossWeightSchedulerHook(schedules=dict(loc=dict(start=0, until=1.5)))
    with pytest.raises(ValueError, match='both'):
        LossWeightSchedulerHook(schedules=dict(cf=dict(start=0)),
                                stages=[dict(at=0.1, values=dict(cf=1))])
    hook = LossWeightSchedulerHook(schedules=dict(lco=dict(start=0)))
    with pytest.raises(KeyError, match='lco'):
        hook.before_train(make_runner())
