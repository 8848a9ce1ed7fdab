"""DefectTransplant on hand-made 12x12 images: what is pasted, where the mask
goes, mean matching, skip paths."""
import pytest
import torch

from mtl_plugin.models.batch_augments import DefectTransplant

H = W = 12


def defect_and_normal(surface=5.0, change=3.0, target=1.0):
    """Image 0: constant surface with a 2x3 defect (+change) at rows 2:4,
    cols 1:4; image 1: a normal image of constant ``target``."""
    inputs = torch.stack([torch.full((3, H, W), surface),
                          torch.full((3, H, W), target)])
    masks = torch.zeros(2, 1, H, W)
    masks[0, 0, 2:4, 1:4] = 1
    inputs[0][:, masks[0, 0] > 0] += change
    return inputs, masks, torch.tensor([1, 0])


def test_paste_moves_pixels_and_mask_together():
    inputs, masks, _ = defect_and_normal()
    tp = DefectTransplant(match_stats='none')
    shift = torch.tensor([[5, 6]])
    images, moved = tp.paste(inputs[:1], masks[:1], inputs[1:], shift)
    expected = torch.zeros(H, W)
    expected[7:9, 7:10] = 1
    torch.testing.assert_close(moved[0, 0], expected)
    inside = expected > 0
    assert torch.all(images[0][:, inside] == 8.0)  # raw source pixels
    assert torch.all(images[0][:, ~inside] == 1.0)  # the target elsewhere


def test_mean_matching_keeps_the_change_not_the_surface():
    inputs, masks, _ = defect_and_normal(surface=5.0, change=3.0, target=1.0)
    tp = DefectTransplant(match_stats='mean', ring_width=1)
    images, moved = tp.paste(inputs[:1], masks[:1], inputs[1:],
                             torch.tensor([[4, 2]]))
    inside = moved[0, 0] > 0
    # target surface 1 + the defect's change 3
    torch.testing.assert_close(images[0][:, inside],
                               torch.full((3, int(inside.sum())), 4.0))
    assert torch.all(images[0][:, ~inside] == 1.0)


def test_random_shifts_keep_the_mask_inside():
    torch.manual_seed(0)
    masks = torch.zeros(1, 1, H, W)
    masks[0, 0, 0:3, 9:12] = 1  # touches the top and right borders
    seen = set()
    for _ in range(50):
        dy, dx = DefectTransplant.random_shifts(masks)[0].tolist()
        assert 0 <= dy <= H - 3 and -9 <= dx <= 0
        seen.add((dy, dx))
    assert len(seen) > 10  # really random
    empty = torch.zeros(1, 1, H, W)
    assert DefectTransplant.random_shifts(empty).tolist() == [[0, 0]]


def test_forward_pairs_defects_with_normal_images():
    torch.manual_seed(1)
    inputs, masks, labels = defect_and_normal()
    inputs = torch.cat([inputs, torch.full((1, 3, H, W), 7.0)])
    masks = torch.cat([masks, torch.zeros(1, 1, H, W)])
    labels = torch.tensor([1, 0, 0])
    out = DefectTransplant()(inputs, masks, labels)
    assert out.num_images == 1 and out.labels.tolist() == [1]
    assert out.sources.tolist() == [0] and int(out.targets[0]) in (1, 2)
    moved = out.masks[0, 0] > 0
    assert moved.sum() == masks[0].sum()  # the whole defect, no wrap-around
    target = inputs[int(out.targets[0])]
    assert torch.equal(out.images[0][:, ~moved], target[:, ~moved])
    # no shift: the defect stays where it was
    out = DefectTransplant(shift=False)(inputs, masks, labels)
    torch.testing.assert_close(out.masks[0], masks[0])


@pytest.mark.parametrize('labels', [[0, 0], [1, 1]])
def test_skips_without_defect_or_normal_image(labels):
    inputs, masks, _ = defect_and_normal()
    if labels == [0, 0]:
        masks.zero_()
    out = DefectTransplant()(inputs, masks, torch.tensor(labels))
    assert out.num_images == 0 and out.images.shape == (0, 3, H, W)


def test_dtype_kept_and_bad_arguments():
    inputs, masks, labels = defect_and_normal()
    out = DefectTransplant()(inputs.bfloat16(), masks, labels)
    assert out.images.dtype == torch.bfloat16
    with pytest.raises(ValueError, match='match_stats'):
        DefectTransplant(match_stats='std')
    with pytest.raises(ValueError, match='ring_width'):
        DefectTransplant(ring_width=0)
