"""Each balancer's weights on hand-made losses match its formula."""
import math

import pytest
import torch
from mmengine.optim import OptimWrapper

import mtl_plugin  # noqa: F401
from mtl_plugin.models.balancers import (
    DWABalancer,
    FixedWeightBalancer,
    PCGradBalancer,
    UncertaintyBalancer,
    group_task_losses,
    pcgrad_combine,
)


def _losses(seg=1.0, det=2.0, cls=3.0):
    return dict(seg_loss_ce=torch.tensor(seg),
                det_loss_cls=torch.tensor(det / 2),
                det_loss_bbox=torch.tensor(det / 2),
                cls_loss_ce=torch.tensor(cls))


def test_group_task_losses_sums_terms_and_rejects_unknown_prefix():
    grouped = group_task_losses(_losses(), ['seg', 'det', 'cls'])
    assert grouped['det'].item() == pytest.approx(2.0)
    with pytest.raises(KeyError, match="'foo'"):
        group_task_losses(dict(foo_loss=torch.tensor(1.)), ['seg'])


def test_fixed_weights_scale_every_term_and_are_logged():
    bal = FixedWeightBalancer(weights=dict(seg=0.5, det=2.0))
    out = bal(_losses())
    assert out['seg_loss_ce'].item() == pytest.approx(0.5)
    assert out['det_loss_cls'].item() == pytest.approx(2.0)
    assert out['det_loss_bbox'].item() == pytest.approx(2.0)
    assert out['cls_loss_ce'].item() == pytest.approx(3.0)
    assert out['weight_seg'].item() == pytest.approx(0.5)
    assert out['weight_cls'].item() == pytest.approx(1.0)
    # 'weight_*' keys hold no 'loss': mmengine logs them but does not sum them.
    assert not any('loss' in k for k in out if k.startswith('weight_'))
    with pytest.raises(KeyError, match='sge'):
        FixedWeightBalancer(weights=dict(sge=1.0))


def test_task_warmup_ramps_linearly_after_begin():
    bal = FixedWeightBalancer(task_warmup=dict(det=dict(begin=2, ramp=4)))
    seen = [bal(_losses())['weight_det'].item() for _ in range(8)]
    assert seen == pytest.approx([0, 0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    # other tasks are unaffected
    assert bal(_losses())['weight_seg'].item() == 1.0


def test_uncertainty_weights_are_exp_minus_logvar_plus_regulariser():
    bal = UncertaintyBalancer(init_log_vars=dict(seg=0.5, det=-1.0, cls=0.0))
    out = bal(_losses(seg=2.0, det=4.0, cls=1.0))
    assert out['weight_seg'].item() == pytest.approx(math.exp(-0.5))
    assert out['seg_loss_ce'].item() == pytest.approx(2.0 * math.exp(-0.5))
    assert out['det_loss_cls'].item() == pytest.approx(2.0 * math.exp(1.0))
    assert out['seg_loss_logvar'].item() == pytest.approx(0.5)
    total = sum(v for k, v in out.items() if 'loss' in k)
    expected = (2 * math.exp(-0.5) + 0.5) + (4 * math.e - 1.0) + (1.0 + 0.0)
    assert total.item() == pytest.approx(expected, rel=1e-5)
    # d total / d s_t = 1 - exp(-s_t) L_t: the learned variances get gradients
    total.backward()
    assert bal.log_vars['seg'].grad.item() == pytest.approx(
        1 - 2 * math.exp(-0.5), rel=1e-5)


def test_dwa_follows_loss_ratio_softmax():
    bal = DWABalancer(temperature=2.0, period=2)
    # periods 1 and 2: weights stay 1
    for losses in [(4, 2, 1), (4, 2, 1), (2, 2, 1), (2, 2, 1)]:
        out = bal(_losses(*losses))
        assert out['weight_seg'].item() == pytest.approx(1.0)
    # means: period1 (4,2,1), period2 (2,2,1) -> ratios (0.5, 1, 1)
    out = bal(_losses())
    r = torch.tensor([0.5, 1.0, 1.0])
    w = 3 * torch.softmax(r / 2.0, 0)
    assert out['weight_seg'].item() == pytest.approx(w[0].item(), rel=1e-5)
    assert out['weight_det'].item() == pytest.approx(w[1].item(), rel=1e-5)
    assert out['weight_cls'].item() == pytest.approx(w[2].item(), rel=1e-5)
    assert sum(out[f'weight_{t}'].item() for t in 'seg det cls'.split()) == \
        pytest.approx(3.0)
    # state is in buffers: it is saved with the model
    state = bal.state_dict()
    fresh = DWABalancer(temperature=2.0, period=2)
    fresh.load_state_dict(state)
    assert fresh(_losses())['weight_seg'].item() == pytest.approx(w[0].item(),
                                                                  rel=1e-5)


def test_dwa_rejects_bad_period():
    with pytest.raises(ValueError, match='period'):
        DWABalancer(period=0)


def test_pcgrad_projects_conflicting_gradients():
    g1, g2 = torch.tensor([1.0, 0.0]), torch.tensor([-1.0, 1.0])
    out = pcgrad_combine([g1, g2], shuffle=False)
    # g1' = g1 - (-1/2) g2 = (0.5, 0.5); g2' = g2 - (-1/1) g1 = (0, 1)
    assert torch.allclose(out, torch.tensor([0.5, 1.5]))
    # after surgery no projected gradient conflicts with the other task
    assert torch.dot(torch.tensor([0.5, 0.5]), g2) >= 0
    # non-conflicting gradients are just summed
    out = pcgrad_combine([g1, torch.tensor([1.0, 1.0])], shuffle=False)
    assert torch.allclose(out, torch.tensor([2.0, 1.0]))


def test_pcgrad_balancer_combine_keeps_param_shapes_and_none():
    bal = PCGradBalancer()
    assert bal.needs_task_gradients
    params = [torch.zeros(2, 1), torch.zeros(1)]
    grads = [[torch.tensor([[1.0], [0.0]]), None],
             [torch.tensor([[-1.0], [1.0]]), torch.tensor([2.0])]]
    out = bal.combine(grads, params)
    assert out[0].shape == (2, 1) and out[1].shape == (1, )
    # task 1 flat (1,0,0), task 2 (-1,1,2): dot -1 -> projections
    g1, g2 = torch.tensor([1., 0., 0.]), torch.tensor([-1., 1., 2.])
    expected = (g1 - (-1 / 6) * g2) + (g2 - (-1 / 1) * g1)
    assert torch.allclose(torch.cat([o.reshape(-1) for o in out]), expected)


def test_pcgrad_update_params_replaces_only_the_shared_gradient():
    """Two tasks on one shared weight ``w`` and one head weight ``h`` each:
    the shared gradient becomes PCGrad of the per-task ones, a head keeps
    its plain gradient, and the wrapper steps once."""
    bal = PCGradBalancer(task_names=('a', 'b'))
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    ha = torch.nn.Parameter(torch.tensor(3.0))
    losses = bal({'a_loss': ha * (w * torch.tensor([1.0, 0.0])).sum(),
                  'b_loss': (w * torch.tensor([-1.0, 1.0])).sum()})
    seen = {}

    class Wrapper(OptimWrapper):
        def step(self, **kwargs):
            seen['w'], seen['ha'] = w.grad.clone(), ha.grad.clone()
            super().step(**kwargs)

    wrapper = Wrapper(torch.optim.SGD([w, ha], lr=0.0))
    total = sum(v for k, v in losses.items() if 'loss' in k)
    bal.update_params(losses, total, [w], wrapper)
    # grads on w: a -> (3, 0), b -> (-1, 1); dot -3 < 0
    g1, g2 = torch.tensor([3.0, 0.0]), torch.tensor([-1.0, 1.0])
    expected = (g1 + 3 / 2 * g2) + (g2 + 3 / 9 * g1)
    torch.testing.assert_close(seen['w'], expected)
    torch.testing.assert_close(seen['ha'], torch.tensor(1.0))  # d a_loss / d ha
    assert w.grad is None or torch.all(w.grad == 0)  # zero_grad after the step
    accumulating = OptimWrapper(torch.optim.SGD([w], lr=0.0),
                                accumulative_counts=2)
    with pytest.raises(ValueError, match='accumulative_counts'):
        bal.update_params(losses, total, [w], accumulating)
