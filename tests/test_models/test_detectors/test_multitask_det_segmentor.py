"""MultiTaskDetSegmentor: prefixed losses, predictions, heads off,
stop-gradient isolation, task adapters and the train step of the
gradient-based balancers."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData

import mtl_plugin  # noqa: F401
from mtl_plugin.models.balancers import pcgrad_combine
from mtl_plugin.registry import MODELS
from mtl_plugin.structures import MultiTaskDataSample

from mtl_test_utils import REPO

CFG = osp.join(REPO, 'configs/multitask/multitask-fixed.py')


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """One torch thread: on the shared 2-core machine more threads than free
    cores slowed these runs ~15x."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _model_cfg(**changes):
    cfg = copy.deepcopy(Config.fromfile(CFG).model)
    cfg.update(changes)
    return cfg


def _build(**changes):
    init_default_scope('mtl_plugin')
    torch.manual_seed(0)
    return MODELS.build(_model_cfg(**changes))


def _data(n=2, size=64):
    samples = []
    for i in range(n):
        s = MultiTaskDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            scale_factor=(1.0, 1.0), img_id=i))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 30., 28.], [34., 30., 60., 62.]]),
            labels=torch.tensor([0, 2]))
        seg = torch.zeros(1, size, size, dtype=torch.long)
        seg[:, 6:28, 4:30] = 1
        seg[:, 30:62, 34:60] = 3
        s.gt_sem_seg = PixelData(data=seg)
        s.gt_label = torch.tensor([i % 3])
        samples.append(s)
    inputs = [torch.randint(0, 255, (3, size, size), dtype=torch.uint8)
              for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_loss_keys_are_prefixed_and_weights_logged():
    model = _build()
    data = model.data_preprocessor(_data(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'seg_loss_ce', 'det_loss_cls', 'det_loss_bbox',
            'det_loss_centerness', 'cls_loss_ce'} <= set(losses)
    assert {k for k in losses if k.startswith('weight_')} == {
        'weight_seg', 'weight_det', 'weight_cls'}
    total, log_vars = model.parse_losses(losses)
    assert 'weight_det' in log_vars  # logged ...
    expected = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.allclose(total, expected)  # ... but not summed


def test_predict_fills_every_task_on_the_same_samples():
    model = _build().eval()
    data = model.data_preprocessor(_data(), False)
    with torch.no_grad():
        out = model.predict(data['inputs'], data['data_samples'])
    s = out[0]
    assert s.pred_sem_seg.data.shape == (1, 64, 64)
    assert s.pred_sem_seg.data.dtype == torch.long
    assert s.pred_score.shape == (3, )
    assert torch.allclose(s.pred_score.sum(), torch.tensor(1.0))
    assert s.pred_label.shape == (1, )
    assert 'bboxes' in s.pred_instances and 'scores' in s.pred_instances
    # a dict copy keeps the keys that mmseg / mmpretrain metrics read
    as_dict = s.to_dict()
    assert 'data' in as_dict['pred_sem_seg'] and 'pred_score' in as_dict


def test_heads_can_be_switched_off():
    model = _build(det_head=None, cls_head=None)
    assert model.tasks == ['seg']
    data = model.data_preprocessor(_data(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert set(losses) == {'seg_loss_ce', 'weight_seg'}
    with pytest.raises(ValueError, match='at least one'):
        _build(seg_head=None, det_head=None, cls_head=None)


def _shared_grad_norm(model):
    grads = [p.grad for m in model.shared_modules for p in m.parameters()
             if p.grad is not None]
    return sum(g.abs().sum() for g in grads) if grads else torch.tensor(0.)


def test_stop_gradient_isolates_shared_features():
    data_raw = _data()
    for detach, expect_shared in ((('cls', ), False), ((), True)):
        model = _build(detach_tasks=detach)
        data = model.data_preprocessor(copy.deepcopy(data_raw), True)
        losses = model.loss(data['inputs'], data['data_samples'])
        losses['cls_loss_ce'].backward()
        assert model.cls_head.fc.weight.grad.abs().sum() > 0
        reached = _shared_grad_norm(model) > 0
        assert bool(reached) == expect_shared
    with pytest.raises(KeyError, match='detach_tasks'):
        _build(detach_tasks=('depth', ))


class _RecordingWrapper(OptimWrapper):
    def step(self, **kwargs):
        self.grads_at_step = [p.grad.clone() for p in self.shared]
        super().step(**kwargs)


def test_pcgrad_train_step_replaces_shared_gradients():
    model = _build(balancer=dict(type='PCGradBalancer'))
    model.balancer.generator.manual_seed(0)
    shared = [p for m in model.shared_modules for p in m.parameters()
              if p.requires_grad]
    wrapper = _RecordingWrapper(torch.optim.SGD(model.parameters(), lr=0.0))
    wrapper.shared = shared
    data_raw = _data()
    # reference: per-task gradients of the same forward pass
    ref = _build(balancer=dict(type='PCGradBalancer'))
    ref.load_state_dict(model.state_dict())
    ref.train()
    data = ref.data_preprocessor(copy.deepcopy(data_raw), True)
    losses = ref.loss(data['inputs'], data['data_samples'])
    ref_shared = [p for m in ref.shared_modules for p in m.parameters()
                  if p.requires_grad]
    flat = []
    for task in ('seg', 'det', 'cls'):
        total = sum(v for k, v in losses.items()
                    if k.startswith(task + '_') and 'loss' in k)
        grads = torch.autograd.grad(total, ref_shared, retain_graph=True,
                                    allow_unused=True)
        flat.append(torch.cat([(g if g is not None else torch.zeros_like(p)
                                ).reshape(-1) for g, p in zip(grads, ref_shared)]))
    log_vars = model.train_step(copy.deepcopy(data_raw), wrapper)
    assert 'weight_seg' in log_vars and 'loss' in log_vars
    got = torch.cat([g.reshape(-1) for g in wrapper.grads_at_step])
    plain_sum = torch.stack(flat).sum(0)
    # the surgery changed the gradient where tasks conflict, and it equals
    # PCGrad of the per-task gradients (same seeded projection order)
    dots = [torch.dot(flat[i], flat[j]) for i in range(3) for j in range(3) if i < j]
    if any(d < 0 for d in dots):
        assert not torch.allclose(got, plain_sum)
    expected = pcgrad_combine(flat, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(got, expected, atol=1e-5, rtol=1e-4)


ADAPTER = dict(type='TaskFeatureAdapter', in_channels=128, num_levels=4,
               kernel_size=1)
TASK_ORDER = ['seg', 'det', 'cls']


def test_task_adapters_start_as_identity_and_train_only_their_task():
    plain = _build()
    model = _build(task_adapter=ADAPTER)
    assert set(model.adapters) == {'seg', 'det', 'cls'}
    missing, unexpected = model.load_state_dict(plain.state_dict(),
                                                strict=False)
    assert not unexpected and all(k.startswith('adapters.') for k in missing)
    data_raw = _data()
    ref_data = plain.data_preprocessor(copy.deepcopy(data_raw), True)
    ref = plain.loss(ref_data['inputs'], ref_data['data_samples'])
    data = model.data_preprocessor(copy.deepcopy(data_raw), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    # identity at initialisation: the same losses as without adapters
    for key in ('seg_loss_ce', 'det_loss_cls', 'cls_loss_ce'):
        assert torch.allclose(losses[key], ref[key], atol=1e-6)
    losses['det_loss_cls'].backward()
    grads = {t: sum(p.grad.abs().sum() for p in a.parameters()
                    if p.grad is not None) for t, a in model.adapters.items()}
    assert grads['det'] > 0 and grads['seg'] == 0 and grads['cls'] == 0
    # predict runs through the adapters too
    model.eval()
    with torch.no_grad():
        out = model.predict(data['inputs'], data['data_samples'])
    assert out[0].pred_sem_seg.data.shape == (1, 64, 64)


def test_stop_gradient_task_still_trains_its_adapter():
    model = _build(task_adapter=ADAPTER, detach_tasks=('cls', ))
    data = model.data_preprocessor(_data(), True)
    model.loss(data['inputs'], data['data_samples'])['cls_loss_ce'].backward()
    assert _shared_grad_norm(model) == 0
    assert model.adapters['cls'].convs[0].norm.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('balancer', [
    dict(type='GradNormBalancer', momentum=0.0, num_last_shared=8),
    dict(type='IMTLGBalancer', num_last_shared=8)])
def test_magnitude_balancers_train_and_log_their_weights(balancer):
    cfg = _model_cfg()
    cfg['balancer'] = balancer  # replaced, not merged with the fixed one
    init_default_scope('mtl_plugin')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-4))
    first = model.train_step(_data(), wrapper)
    second = model.train_step(_data(), wrapper)
    assert {'weight_seg', 'weight_det', 'weight_cls'} <= set(second)
    weights = torch.tensor([second[f'weight_{t}'] for t in TASK_ORDER])
    if balancer['type'] == 'GradNormBalancer':
        # moved off (1, 1, 1) by the first step, still summing to K = 3
        assert not torch.allclose(weights, torch.ones(3))
        assert weights.sum().item() == pytest.approx(3.0, rel=1e-4)
        # the largest shared gradient (cls) gets the smallest weight
        assert weights.argmin().item() == TASK_ORDER.index('cls')
    else:
        assert first['alpha_seg'] == 0
        alpha = torch.tensor([second[f'alpha_{t}'] for t in TASK_ORDER])
        assert alpha.sum().item() == pytest.approx(1.0, rel=1e-4)
    assert all(torch.isfinite(p).all() for p in model.parameters())



@pytest.mark.parametrize('name', ['gradnorm', 'imtlg', 'adapters',
                                  'imtlg-adapters'])
def test_balancing_configs_train_one_iteration(name):
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(REPO, 'configs/multitask',
                                   f'multitask-{name}.py'))
    init_default_scope('mtl_plugin')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = [p.detach().clone() for p in model.backbone.parameters()]
    log_vars = model.train_step(_data(), wrapper)
    assert torch.isfinite(log_vars['loss'])
    assert any(not torch.equal(b, p) for b, p in
               zip(before, model.backbone.parameters()))
