"""TaskFeatureAdapter: shapes, identity at initialisation, gradients."""
import pytest
import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.models.layers.task_feature_adapter import TaskFeatureAdapter


def _feats():
    torch.manual_seed(0)
    return tuple(torch.randn(2, 8, s, s) for s in (8, 4, 2))


@pytest.mark.parametrize('kernel_size', [1, 3])
def test_identity_at_init_and_shapes_kept(kernel_size):
    adapter = TaskFeatureAdapter(8, 3, kernel_size=kernel_size)
    adapter.init_weights()
    feats = _feats()
    out = adapter(feats)
    assert [o.shape for o in out] == [f.shape for f in feats]
    for o, f in zip(out, feats):
        assert torch.allclose(o, f)


def test_adapter_learns_off_identity():
    adapter = TaskFeatureAdapter(8, 3)
    feats = _feats()
    sum(o.pow(2).sum() for o in adapter(feats)).backward()
    # the zero BN scale gets a gradient, so the adapter leaves the identity
    assert all(c.norm.weight.grad.abs().sum() > 0 for c in adapter.convs)
    opt = torch.optim.SGD(adapter.parameters(), lr=0.1)
    opt.step()
    assert not torch.allclose(adapter(feats)[0], feats[0])


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='kernel_size'):
        TaskFeatureAdapter(8, 3, kernel_size=2)
    with pytest.raises(ValueError, match='3 levels got 2'):
        TaskFeatureAdapter(8, 3)(_feats()[:2])
