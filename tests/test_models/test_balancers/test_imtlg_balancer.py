"""IMTL-G on hand-made gradients: equal projections, known weights."""
import pytest
import torch
from mmengine.optim import OptimWrapper

import mtl_plugin  # noqa: F401
from mtl_plugin.models.balancers.imtlg_balancer import IMTLGBalancer, imtlg_weights


def _projections(g, grads):
    return torch.stack([g @ (gi / gi.norm()) for gi in grads])


def test_two_orthogonal_gradients_have_the_known_answer():
    g1, g2 = torch.tensor([10.0, 0.0]), torch.tensor([0.0, 1.0])
    alpha = imtlg_weights(torch.stack([g1, g2]))
    # alpha_1 * 10 = alpha_2 (equal projections), alpha_1 + alpha_2 = 1
    assert alpha.tolist() == pytest.approx([1 / 11, 10 / 11])
    g = alpha[0] * g1 + alpha[1] * g2
    assert g.tolist() == pytest.approx([10 / 11, 10 / 11])


def test_projections_on_every_task_direction_are_equal():
    gen = torch.Generator().manual_seed(0)
    grads = torch.randn(3, 7, generator=gen) * torch.tensor([[40.], [4.], [1.2]])
    alpha = imtlg_weights(grads)
    assert alpha.sum().item() == pytest.approx(1.0)
    proj = _projections(alpha @ grads, grads)
    assert torch.allclose(proj, proj[0].expand(3), rtol=1e-4)
    # scale invariance: rescaling a task's gradient keeps the direction
    scaled = grads * torch.tensor([[0.01], [3.0], [1.0]])
    g_scaled = imtlg_weights(scaled) @ scaled
    cos = torch.nn.functional.cosine_similarity(g_scaled, alpha @ grads, 0)
    assert cos.item() == pytest.approx(1.0, abs=1e-5)


def test_parallel_gradients_do_not_produce_nan():
    alpha = imtlg_weights(torch.tensor([[1.0, 0.0], [2.0, 0.0]]))
    assert torch.isfinite(alpha).all()
    assert alpha.sum().item() == pytest.approx(1.0)


class _RecordingWrapper(OptimWrapper):
    def step(self, **kwargs):
        self.grads_at_step = [p.grad.clone() for p in self.params]
        super().step(**kwargs)


def test_update_params_steps_on_the_imtlg_gradient_and_logs_alpha():
    bal = IMTLGBalancer()
    assert bal.needs_task_gradients
    theta = torch.ones(2, requires_grad=True)
    head = torch.ones((), requires_grad=True)
    # seg: gradient (10, 0) on theta; det: (0, 1); cls: a head only.
    losses = dict(seg_loss_ce=10 * theta[0], det_loss_bbox=theta[1],
                  cls_loss_ce=3 * head)
    out = bal(losses)
    assert out['alpha_seg'].item() == 0.0  # nothing combined yet
    wrapper = _RecordingWrapper(torch.optim.SGD([theta, head], lr=0.0))
    wrapper.params = [theta, head]
    total = sum(v for k, v in out.items() if 'loss' in k)
    bal.update_params(out, total, [theta], wrapper)
    got_theta, got_head = wrapper.grads_at_step
    assert got_theta.tolist() == pytest.approx([10 / 11, 10 / 11])
    # the task that does not reach the shared parameters keeps weight 1
    assert got_head.item() == pytest.approx(3.0)
    out = bal(losses)
    assert out['alpha_seg'].item() == pytest.approx(1 / 11)
    assert out['alpha_det'].item() == pytest.approx(10 / 11)
    assert out['alpha_cls'].item() == 0.0
    assert out['weight_det'].item() == 1.0
    assert not any('loss' in k for k in out if k.startswith('alpha_'))
    with pytest.raises(ValueError, match='num_last_shared'):
        IMTLGBalancer(num_last_shared=0)
