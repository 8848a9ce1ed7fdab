import pytest
import torch

from mtl_plugin.models.losses import AttentionGuidanceLoss


def test_known_values():
    loss = AttentionGuidanceLoss()
    mask = torch.zeros(1, 1, 2, 2)
    mask[0, 0, 0, 0] = 1
    # sigmoid(0) = 0.5 everywhere -> (0.5 - m)^2 = 0.25 for every pixel.
    assert loss(torch.zeros(1, 1, 2, 2), mask).item() == pytest.approx(0.25)
    # Perfect attention: large logits inside, very negative outside.
    perfect = (mask * 2 - 1) * 50
    assert loss(perfect, mask).item() == pytest.approx(0.0, abs=1e-8)


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match='shape'):
        AttentionGuidanceLoss()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3))


def test_balanced_weighs_defect_pixels_as_much_as_background():
    mask = torch.zeros(2, 1, 2, 2)
    mask[0, 0, 0, 0] = 1  # image 0: 1 defect pixel of 4; image 1: normal
    all_off = torch.full((2, 1, 2, 2), -50.0)  # sigmoid ~ 0 everywhere
    # plain mean: one pixel of 8 wrong by 1 -> 1/8; an all-zero attention
    # almost wins it.
    assert AttentionGuidanceLoss()(all_off, mask).item() == pytest.approx(
        1 / 8)
    # balanced: image 0 = 0.5 * 1 (fg) + 0.5 * 0 (bg); image 1 (no fg) = 0.
    assert AttentionGuidanceLoss(balanced=True)(
        all_off, mask).item() == pytest.approx((0.5 + 0.0) / 2)
    perfect = (mask * 2 - 1) * 50
    assert AttentionGuidanceLoss(balanced=True)(
        perfect, mask).item() == pytest.approx(0.0, abs=1e-8)
