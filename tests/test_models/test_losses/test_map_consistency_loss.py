import pytest
import torch

from mtl_plugin.models.losses import MapConsistencyLoss


def _ramp():
    return torch.arange(4.0).view(1, 1, 2, 2)  # normalises to 0, 1/3, 2/3, 1


def test_known_values():
    loss = MapConsistencyLoss()
    assert loss(_ramp() * 7 + 3, _ramp() / 3).item() == pytest.approx(
        0.0, abs=1e-6)
    expected = (0 + 1 / 9 + 4 / 9 + 1) / 4
    assert loss(_ramp(), torch.zeros(1, 1, 2, 2)).item() == pytest.approx(
        expected, abs=1e-5)


def test_weight_selects_images_and_target_is_detached():
    maps = torch.cat([_ramp(), _ramp()]).requires_grad_()
    loc = torch.cat([_ramp() / 3, torch.zeros(1, 1, 2, 2)]).requires_grad_()
    value = MapConsistencyLoss()(maps, loc, weight=torch.tensor([1.0, 0.0]))
    assert value.item() == pytest.approx(0.0, abs=1e-6)
    value = MapConsistencyLoss()(maps, loc, weight=torch.tensor([0.0, 1.0]))
    value.backward()
    assert loc.grad is None  # the localization map is the teacher
    assert maps.grad[1].abs().sum() > 0 and maps.grad[0].abs().sum() == 0
    loc2 = loc.detach().clone().requires_grad_()
    MapConsistencyLoss(detach_target=False)(maps, loc2).backward()
    assert loc2.grad.abs().sum() > 0
