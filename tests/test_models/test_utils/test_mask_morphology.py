import pytest
import torch

from mtl_plugin.models.utils import dilate_masks, mask_ring


def test_dilation_and_ring_on_a_single_pixel():
    mask = torch.zeros(1, 1, 7, 7)
    mask[0, 0, 0, 3] = 1  # on the top border: nothing wraps to the bottom
    dilated = dilate_masks(mask, 2)
    expected = torch.zeros(7, 7)
    expected[0:3, 1:6] = 1
    torch.testing.assert_close(dilated[0, 0], expected)
    assert torch.equal(dilate_masks(mask, 0), mask)
    ring = mask_ring(mask, 1)
    assert ring.sum() == 5 and ring[0, 0, 0, 3] == 0  # 2x3 box minus the pixel
    with pytest.raises(ValueError, match='radius'):
        dilate_masks(mask, -1)
    with pytest.raises(ValueError, match='width'):
        mask_ring(mask, 0)
