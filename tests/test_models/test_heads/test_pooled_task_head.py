import pytest
import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.models.heads import PooledTaskHead
from mtl_plugin.structures import MultiTaskDataSample


def _samples(task, values, dtype):
    out = []
    for v in values:
        s = MultiTaskDataSample()
        s.set_field(torch.tensor([v], dtype=dtype), f'gt_{task}')
        out.append(s)
    return out


def test_cls_and_reg_losses():
    feat = torch.randn(2, 8, 8, 8)
    cls = PooledTaskHead('orientation', num_outputs=32, in_channels=8,
                         pool_size=4, hidden=0)
    assert cls.mlp[-1].in_features == 8 * 16
    out = cls(feat)
    loss = cls.loss(feat, _samples('orientation', [3, 31], torch.long))['loss']
    assert torch.allclose(loss, torch.nn.functional.cross_entropy(
        out, torch.tensor([3, 31])))
    reg = PooledTaskHead('intensity', num_outputs=1, kind='reg',
                         in_channels=8, pool_size=1)
    pred = reg(feat)[:, 0]
    loss = reg.loss(feat, _samples('intensity', [0.2, 0.9], torch.float32))
    assert torch.allclose(loss['loss'],
                          (pred - torch.tensor([0.2, 0.9])).abs().mean())
    assert reg.predict(feat).shape == (2, 1)


def test_grid_pooling_sees_position_global_pooling_does_not():
    # a blob on the left vs the same blob on the right: equal after global
    # pooling (orientation lost), different with a 2x2 grid
    left, right = torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 4)
    left[..., 1, 0] = 1
    right[..., 1, 3] = 1
    gap = PooledTaskHead('a', 2, in_channels=1, pool_size=1, hidden=0)
    grid = PooledTaskHead('a', 2, in_channels=1, pool_size=2, hidden=0)
    assert torch.allclose(gap(left), gap(right))
    assert not torch.allclose(grid(left), grid(right))


def test_bad_kind():
    with pytest.raises(ValueError, match='kind'):
        PooledTaskHead('a', 2, kind='seg')
