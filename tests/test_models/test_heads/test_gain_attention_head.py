import math

import pytest
import torch

from mtl_plugin.models.heads import GAINAttentionHead


def test_forward_shape_and_soft_mask_values():
    head = GAINAttentionHead(in_channels=8, mid_channels=4, sigma=0.5,
                             omega=10.0)
    assert head(torch.randn(2, 8, 3, 3)).shape == (2, 1, 3, 3)
    att = torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])  # normalised 0, .25, .5, 1
    soft = head.soft_mask(att)
    expected = torch.sigmoid(10 * (torch.tensor([0.0, 0.25, 0.5, 1.0]) - 0.5))
    torch.testing.assert_close(soft.flatten(), expected, atol=1e-5, rtol=0)
    assert soft.flatten()[2].item() == pytest.approx(0.5, abs=1e-5)
    # The normalisation is per image: scaling one map does not change its mask.
    torch.testing.assert_close(head.soft_mask(att * 100 - 7), soft, atol=1e-5,
                               rtol=0)


def test_erase_removes_attended_pixels():
    img = torch.full((1, 3, 2, 2), 2.0)
    soft = torch.tensor([[[[1.0, 0.0], [0.25, 0.0]]]])
    out = GAINAttentionHead.erase(img, soft)
    assert out[0, 0].tolist() == [[0.0, 2.0], [1.5, 2.0]]


def test_invalid_parameters():
    with pytest.raises(ValueError, match='sigma'):
        GAINAttentionHead(in_channels=4, sigma=1.5)
    with pytest.raises(ValueError, match='omega'):
        GAINAttentionHead(in_channels=4, omega=-math.inf)
