import math

import pytest
import torch

from mtl_plugin.models.losses import CAMGuidanceLoss


def test_zero_cam_gives_log2_everywhere():
    loss = CAMGuidanceLoss()
    cam = torch.zeros(2, 1, 4, 4)
    mask = torch.zeros(2, 1, 4, 4)
    mask[0, 0, :2, :2] = 1
    assert loss(cam, mask).item() == pytest.approx(math.log(2), abs=1e-6)


def test_known_values_and_pos_weight():
    cam = torch.tensor([[[[math.log(4.0), -math.log(4.0)]]]])  # sigmoid 0.8, 0.2
    mask = torch.tensor([[[[1.0, 0.0]]]])
    # each pixel: -log(0.8); mean of the two.
    assert CAMGuidanceLoss()(cam, mask).item() == pytest.approx(
        -math.log(0.8), abs=1e-6)
    # pos_weight 3 triples the foreground pixel's term.
    assert CAMGuidanceLoss(pos_weight=3.0)(cam, mask).item() == pytest.approx(
        (3 * -math.log(0.8) + -math.log(0.8)) / 2, abs=1e-6)


def test_per_image_weight_excludes_images():
    cam = torch.stack([torch.zeros(1, 2, 2), torch.full((1, 2, 2), 5.0)])
    mask = torch.zeros(2, 1, 2, 2)
    only_first = CAMGuidanceLoss()(cam, mask, weight=torch.tensor([1.0, 0.0]))
    assert only_first.item() == pytest.approx(math.log(2), abs=1e-6)


def test_gradient_pushes_cam_toward_mask_and_errors():
    cam = torch.zeros(1, 1, 1, 2, requires_grad=True)
    mask = torch.tensor([[[[1.0, 0.0]]]])
    CAMGuidanceLoss()(cam, mask).backward()
    assert cam.grad[0, 0, 0, 0] < 0 < cam.grad[0, 0, 0, 1]
    with pytest.raises(ValueError, match='shape'):
        CAMGuidanceLoss()(cam, torch.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match='pos_weight'):
        CAMGuidanceLoss(pos_weight=0)


def _bce(x, y):
    return math.log1p(math.exp(x)) - x * y


def test_balanced_known_values():
    cam = torch.tensor([[[[2.0, 0.0], [0.0, -1.0]]]])
    mask = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    fg = _bce(2.0, 1.0)
    bg = (2 * _bce(0.0, 0.0) + _bce(-1.0, 0.0)) / 3
    assert CAMGuidanceLoss(balanced=True)(cam, mask).item() == pytest.approx(
        0.5 * (fg + bg), abs=1e-6)
    # plain mean for comparison: the background pixels dominate it.
    assert CAMGuidanceLoss()(cam, mask).item() == pytest.approx(
        (fg + 3 * bg) / 4, abs=1e-6)
    # an image without defect pixels: balanced == plain mean.
    normal = torch.zeros_like(mask)
    assert CAMGuidanceLoss(balanced=True)(cam, normal).item() == pytest.approx(
        CAMGuidanceLoss()(cam, normal).item(), abs=1e-6)
    # an all-defect image: the foreground mean alone.
    full = torch.ones_like(mask)
    expected = sum(_bce(x, 1.0) for x in (2.0, 0.0, 0.0, -1.0)) / 4
    assert CAMGuidanceLoss(balanced=True)(cam, full).item() == pytest.approx(
        expected, abs=1e-6)
