"""OffMaskEvidenceLoss on hand-made evidence maps and masks."""
import pytest
import torch
import torch.nn.functional as F

from mtl_plugin.models.losses import OffMaskEvidenceLoss


def test_only_the_strongest_cells_outside_the_dilated_mask_count():
    # 4x4 grid over an 8x8 input (2 px per cell); defect in cell (1, 1)
    evidence = torch.full((1, 1, 4, 4), -10.0)
    evidence[0, 0, 1, 1] = 9.0   # inside: ignored however high
    evidence[0, 0, 3, 3] = 3.0   # the "corner stamp"
    evidence[0, 0, 0, 3] = 1.0
    mask = torch.zeros(1, 1, 8, 8)
    mask[0, 0, 2:4, 2:4] = 1
    loss = OffMaskEvidenceLoss(topk=2 / 16, dilate=0)  # 2 cells
    expected = (F.softplus(torch.tensor(3.0)) + F.softplus(torch.tensor(1.0))) / 2
    torch.testing.assert_close(loss(evidence, mask), expected)
    # dilating by 2 px makes the neighbouring cells inside, not the far ones
    evidence[0, 0, 1, 2] = 20.0
    assert OffMaskEvidenceLoss(topk=1 / 16, dilate=2)(evidence, mask).item() == \
        pytest.approx(F.softplus(torch.tensor(3.0)).item())
    assert OffMaskEvidenceLoss(topk=1 / 16, dilate=0)(evidence, mask).item() == \
        pytest.approx(20.0, abs=1e-6)


def test_normal_images_penalise_their_strongest_cells_anywhere():
    evidence = torch.tensor([[[[0.0, 2.0], [-1.0, -1.0]]]])
    mask = torch.zeros(1, 1, 4, 4)
    loss = OffMaskEvidenceLoss(topk=0.25, dilate=0)(evidence, mask)
    torch.testing.assert_close(loss, F.softplus(torch.tensor(2.0)))


def test_gradient_reaches_only_the_penalised_cells():
    evidence = torch.zeros(1, 1, 2, 2, requires_grad=True)
    with torch.no_grad():
        evidence[0, 0, 0, 0] = 5.0
    mask = torch.zeros(1, 1, 2, 2)
    OffMaskEvidenceLoss(topk=0.25, dilate=0)(evidence, mask).backward()
    grad = evidence.grad[0, 0]
    assert grad[0, 0] > 0 and grad.flatten()[1:].abs().sum() == 0


def test_an_image_whose_mask_covers_the_grid_adds_nothing():
    evidence = torch.ones(2, 1, 2, 2) * 4
    masks = torch.zeros(2, 1, 4, 4)
    masks[0] = 1  # the defect covers the whole image
    loss = OffMaskEvidenceLoss(topk=1.0, dilate=0)(evidence, masks)
    torch.testing.assert_close(loss, F.softplus(torch.tensor(4.0)) / 2)


def test_bad_arguments_and_sizes():
    with pytest.raises(ValueError, match='topk'):
        OffMaskEvidenceLoss(topk=0.0)
    with pytest.raises(ValueError, match='dilate'):
        OffMaskEvidenceLoss(dilate=-1)
    with pytest.raises(ValueError, match='multiple'):
        OffMaskEvidenceLoss()(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 8, 8))
