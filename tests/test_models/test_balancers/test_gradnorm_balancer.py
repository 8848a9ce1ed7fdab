"""GradNormBalancer on hand-made gradients with known equilibria."""
import pytest
import torch
from mmengine.optim import OptimWrapper

import mtl_plugin  # noqa: F401
from mtl_plugin.models.balancers.gradnorm_balancer import GradNormBalancer, gradnorm_target_weights


def test_target_weights_equalise_norms_and_sum_to_k():
    w = gradnorm_target_weights(torch.tensor([10.0, 1.0]),
                                torch.tensor([1.0, 1.0]), alpha=1.5)
    assert w.sum().item() == pytest.approx(2.0)
    assert w.tolist() == pytest.approx([2 / 11, 20 / 11])
    # w_i * n_i equal: both tasks end with the same gradient norm
    assert (w[0] * 10).item() == pytest.approx((w[1] * 1).item())


class _TwoTaskProblem:
    """Shared parameter theta (2,) and two linear task losses whose
    gradients on theta are fixed vectors of norm 10 (seg) and 1 (det),
    times a loss scale that sets L_t(k) / L_t(0)."""

    def __init__(self):
        self.theta = torch.ones(2, requires_grad=True)
        self.dirs = dict(seg=torch.tensor([10.0, 0.0]),
                         det=torch.tensor([0.6, 0.8]))
        # lr 0: the problem stays fixed while the weights move
        self.wrapper = OptimWrapper(torch.optim.SGD([self.theta], lr=0.0))

    def step(self, bal, scale):
        """One train step as the model runs it; returns the balanced losses
        and the weighted task gradients on theta."""
        out = bal({f'{t}_loss': scale[t] * (self.theta @ d)
                   for t, d in self.dirs.items()})
        grads = [torch.autograd.grad(out[f'{t}_loss'], self.theta,
                                     retain_graph=True)[0] for t in self.dirs]
        total = sum(v for k, v in out.items() if 'loss' in k)
        bal.update_params(out, total, [self.theta], self.wrapper)
        return out, grads


def test_weights_converge_to_equal_shared_gradient_norms():
    bal = GradNormBalancer(task_names=('seg', 'det'), alpha=1.5, momentum=0.5)
    assert bal.needs_task_gradients
    prob = _TwoTaskProblem()
    scale = dict(seg=1.0, det=1.0)  # equal training rates: r_i = 1
    for _ in range(40):
        out, grads = prob.step(bal, scale)
    norms = [g.norm().item() for g in grads]
    assert norms[0] == pytest.approx(norms[1], rel=1e-4)
    assert bal.weights.sum().item() == pytest.approx(2.0)
    # the logged weights are the ones that scaled the losses
    assert out['weight_seg'].item() == pytest.approx(bal.weights[0].item(),
                                                     rel=1e-4)
    # update_params ran an ordinary step and cleared the gradients
    assert prob.theta.grad is None or not prob.theta.grad.any()


def test_task_behind_in_training_gets_larger_gradient_norm():
    """alpha = 1: the task whose loss fell least gets a norm proportional
    to its relative inverse training rate r_i."""
    bal = GradNormBalancer(task_names=('seg', 'det'), alpha=1.0, momentum=0.0)
    prob = _TwoTaskProblem()
    prob.step(bal, dict(seg=1.0, det=1.0))  # records L_i(0)
    # seg's loss halved, det's unchanged: L~ = (0.5, 1), r = (2/3, 4/3)
    for _ in range(3):
        _, grads = prob.step(bal, dict(seg=0.5, det=1.0))
    assert (grads[1].norm() / grads[0].norm()).item() == pytest.approx(
        2.0, rel=1e-4)


def test_last_shared_params_only_and_frozen_task_keeps_weight():
    bal = GradNormBalancer(task_names=('seg', 'det', 'cls'), momentum=0.0,
                           num_last_shared=1)
    first, last = torch.ones(3, requires_grad=True), torch.ones(2,
                                                               requires_grad=True)
    head = torch.ones((), requires_grad=True)
    # seg and det reach both shared tensors; only `last` is measured:
    # |grad_last| = 10 (seg) and 1 (det). cls reaches neither.
    losses = dict(seg_loss=10 * last[0] + 100 * first.sum(),
                  det_loss=last[1] + first.sum(), cls_loss=3 * head)
    out = bal(losses)
    total = sum(v for k, v in out.items() if 'loss' in k)
    wrapper = OptimWrapper(torch.optim.SGD([first, last, head], lr=0.0))
    bal.update_params(out, total, [first, last], wrapper)
    assert bal.weights[2].item() == pytest.approx(1.0)
    assert bal.weights[:2].sum().item() == pytest.approx(2.0)
    assert (bal.weights[0] * 10).item() == pytest.approx(bal.weights[1].item())


def test_weights_resume_from_state_dict_and_bad_args_raise():
    bal = GradNormBalancer(task_names=('seg', 'det'), momentum=0.0)
    prob = _TwoTaskProblem()
    prob.step(bal, dict(seg=1.0, det=1.0))
    fresh = GradNormBalancer(task_names=('seg', 'det'), momentum=0.0)
    fresh.load_state_dict(bal.state_dict())
    assert torch.equal(fresh.weights, bal.weights)
    assert torch.equal(fresh.initial_losses, bal.initial_losses)
    with pytest.raises(ValueError, match='momentum'):
        GradNormBalancer(momentum=1.0)
    with pytest.raises(ValueError, match='alpha'):
        GradNormBalancer(alpha=-1.0)
    with pytest.raises(ValueError, match='num_last_shared'):
        GradNormBalancer(num_last_shared=0)
