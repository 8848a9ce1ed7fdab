import pytest
import torch

from mtl_plugin.utils.map_normalization import minmax_normalize


def test_known_answer_per_map_of_the_batch():
    maps = torch.tensor([[[[1.0, 3.0], [5.0, 2.0]]],
                         [[[-2.0, -2.0], [0.0, 2.0]]]])  # (2, 1, 2, 2)
    exact = minmax_normalize(maps, eps=0.0)
    torch.testing.assert_close(
        exact, torch.tensor([[[[0.0, 0.5], [1.0, 0.25]]],
                             [[[0.0, 0.0], [0.5, 1.0]]]]))
    # eps enlarges the range: the default stays just below the exact values.
    smooth = minmax_normalize(maps)
    torch.testing.assert_close(smooth, maps.new_tensor(
        [[[[0.0, 2.0], [4.0, 1.0]]], [[[0.0, 0.0], [2.0, 4.0]]]]) / (4.0 + 1e-6))
    assert smooth.max() < 1.0 and exact.max() == 1.0


@pytest.mark.parametrize('eps', [0.0, 1e-6])
def test_constant_map_becomes_zeros(eps):
    maps = torch.stack([torch.full((1, 3, 3), 7.0), torch.arange(9.0).view(1, 3, 3)])
    out = minmax_normalize(maps, eps=eps)
    assert torch.all(out[0] == 0)
    assert torch.isfinite(out).all() and out[1].max() > 0.99


def test_gradient_reaches_the_maps_and_negative_eps_is_refused():
    maps = torch.tensor([[0.0, 1.0, 3.0]], requires_grad=True)
    minmax_normalize(maps)[0, 1].backward()
    # d/dx1 of (x1 - x0) / (x2 - x0 + eps) is 1 / (3 + eps).
    assert maps.grad[0, 1].item() == pytest.approx(1 / 3, rel=1e-5)
    with pytest.raises(ValueError, match='eps'):
        minmax_normalize(maps, eps=-1.0)
