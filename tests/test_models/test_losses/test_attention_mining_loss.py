import math

import pytest
import torch

from mtl_plugin.models.losses import AttentionMiningLoss


@pytest.mark.parametrize('defect_class', [1, 0])
def test_mean_defect_score_over_defect_images_only(defect_class):
    logits = torch.tensor([[0.0, math.log(3.0)],   # defect image, p=0.75
                           [0.0, 0.0],             # defect image, p=0.5
                           [0.0, 10.0]])           # normal image: ignored
    labels = torch.tensor([1, 1, 0])
    if defect_class == 0:  # the same images with the class indices swapped
        logits, labels = logits.flip(1), 1 - labels
    loss = AttentionMiningLoss()(logits, labels, defect_class)
    assert loss.item() == pytest.approx(0.625, abs=1e-6)


def test_no_defect_image_gives_zero_with_graph():
    logits = torch.randn(2, 2, requires_grad=True)
    loss = AttentionMiningLoss()(logits, torch.tensor([0, 0]), 1)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.all(logits.grad == 0)


def test_gradient_lowers_defect_logit():
    logits = torch.zeros(1, 2, requires_grad=True)
    AttentionMiningLoss()(logits, torch.tensor([1]), 1).backward()
    assert logits.grad[0, 1] > 0 > logits.grad[0, 0]
