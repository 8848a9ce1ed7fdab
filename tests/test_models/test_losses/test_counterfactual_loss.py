import math

import pytest
import torch

from mtl_plugin.models.losses import CounterfactualLoss


def test_ce_toward_normal_on_defect_images_only():
    loss = CounterfactualLoss()
    cf_logits = torch.tensor([[math.log(3.0), 0.0],   # defect, p(normal)=0.75
                              [0.0, 20.0]])          # normal image: ignored
    value = loss(cf_logits, torch.tensor([1, 0]), 1)
    assert value.item() == pytest.approx(-math.log(0.75), abs=1e-6)
    # A model that still says "defect" once the defect is removed pays more.
    still_defect = loss(torch.tensor([[0.0, math.log(3.0)]]), torch.tensor([1]),
                        1)
    assert still_defect.item() == pytest.approx(-math.log(0.25), abs=1e-6)
    assert loss(torch.zeros(1, 2, requires_grad=True),
                torch.tensor([0]), 1).item() == 0.0


def test_normal_class_follows_the_defect_class():
    loss = CounterfactualLoss()
    # defect class 0: the target is class 1 (p = 0.75 here).
    value = loss(torch.tensor([[0.0, math.log(3.0)], [20.0, 0.0]]),
                 torch.tensor([0, 1]), 0)
    assert value.item() == pytest.approx(-math.log(0.75), abs=1e-6)
    # three classes: the normal one must be named.
    three = torch.zeros(1, 3)
    with pytest.raises(ValueError, match='normal_class'):
        loss(three, torch.tensor([1]), 1)
    named = CounterfactualLoss(normal_class=2)(three, torch.tensor([1]), 1)
    assert named.item() == pytest.approx(math.log(3.0), abs=1e-6)
    with pytest.raises(ValueError, match='defect class'):
        CounterfactualLoss(normal_class=1)(three, torch.tensor([1]), 1)


def test_suppress_feature_cells_and_stops_their_gradient():
    feat = torch.ones(1, 3, 2, 2, requires_grad=True)
    mask = torch.zeros(1, 1, 8, 8)
    mask[0, 0, 1, 2] = 1  # inside the top-left cell of the 2x2 grid
    out = CounterfactualLoss.suppress(feat, mask)
    assert torch.all(out[0, :, 0, 0] == 0)
    assert torch.all(out[0, :, 0, 1] == 1) and torch.all(out[0, :, 1, :] == 1)
    logits = torch.stack([out.mean(dim=(1, 2, 3)), -out.mean(dim=(1, 2, 3))], 1)
    CounterfactualLoss()(logits, torch.tensor([1]), 1).backward()
    assert torch.all(feat.grad[0, :, 0, 0] == 0)
    assert torch.all(feat.grad[0, :, 1, 1] != 0)


def test_image_level_suppression_same_size():
    img = torch.full((1, 3, 4, 4), 2.0)
    mask = torch.zeros(1, 1, 4, 4)
    mask[0, 0, 0, 0] = 1
    out = CounterfactualLoss.suppress(img, mask)
    assert out[0, :, 0, 0].abs().sum() == 0 and out.sum() == 2.0 * 3 * 15


def test_effect_term_known_value_and_level_check():
    att = torch.tensor([[3.0, 1.0]])
    rand = torch.tensor([[1.0, 1.0]])
    value = CounterfactualLoss.effect(att, rand, torch.tensor([0]))
    # CE of [2, 0] toward class 0.
    assert value.item() == pytest.approx(
        -math.log(math.exp(2) / (math.exp(2) + 1)), abs=1e-6)
    with pytest.raises(ValueError, match='level'):
        CounterfactualLoss(level='pixel')
