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
