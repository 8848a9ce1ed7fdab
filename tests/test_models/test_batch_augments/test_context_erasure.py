"""ContextErasure on hand-made 8x8 images: what is kept, what replaced."""
import pytest
import torch

from mtl_plugin.models.batch_augments import ContextErasure

H = W = 8


def make_batch(labels, values):
    """Constant images (value per image) and a 2x2 defect at rows/cols 3:5
    on every defect image."""
    inputs = torch.stack([torch.full((3, H, W), float(v)) for v in values])
    masks = torch.zeros(len(labels), 1, H, W)
    for i, label in enumerate(labels):
        if label == 1:
            masks[i, 0, 3:5, 3:5] = 1
    return inputs, masks, torch.tensor(labels)


def test_positive_and_complement_swap_region_and_context():
    inputs, masks, labels = make_batch([1, 0], [1.0, 2.0])
    out = ContextErasure(dilate=1)(inputs, masks, labels)
    region = torch.zeros(H, W, dtype=torch.bool)
    region[2:6, 2:6] = True  # the mask dilated by 1 px
    pos, comp = out.images
    # positive: the defect image inside the region, the normal one outside
    assert torch.all(pos[:, region] == 1.0) and torch.all(pos[:, ~region] == 2.0)
    # complement: the normal image's pixels where the defect was
    assert torch.all(comp[:, region] == 2.0) and torch.all(comp[:, ~region] == 1.0)
    assert out.labels.tolist() == [1, 0]
    torch.testing.assert_close(out.masks[0], masks[0])  # undilated GT mask
    assert out.masks[1].sum() == 0
    assert out.sources.tolist() == [0, 1] and out.targets.tolist() == [1, 0]


def test_partners_are_normal_images_and_no_complement_option():
    torch.manual_seed(0)
    inputs, masks, labels = make_batch([1, 0, 1, 0, 0], [1, 2, 3, 4, 5])
    out = ContextErasure(dilate=0, complement=False)(inputs, masks, labels)
    assert out.num_images == 2 and out.labels.tolist() == [1, 1]
    assert out.sources.tolist() == [0, 2]
    for k in range(2):
        partner = int(out.targets[k])
        assert labels[partner] == 0
        # outside the mask: exactly the partner's value
        assert torch.all(out.images[k][:, masks[0, 0] == 0] == partner + 1)


def test_blur_fill_and_no_normal_fallback():
    inputs, masks, labels = make_batch([1, 1], [1.0, 3.0])
    inputs[0, :, 0, 0] = 10.0  # a "cue" the blur spreads out
    erasure = ContextErasure(dilate=0, blur_size=3)
    out = erasure(inputs, masks, labels)  # no normal image: blur, no complement
    assert out.num_images == 2 and out.labels.tolist() == [1, 1]
    assert out.targets.tolist() == [-1, -1]
    blurred = erasure.blur(inputs[:1])
    outside = masks[0, 0] == 0
    torch.testing.assert_close(out.images[0][:, outside], blurred[0][:, outside])
    # 3x3 box blur of the corner pixel, counted over the 4 pixels inside
    assert blurred[0, 0, 0, 0].item() == pytest.approx((10 + 3 * 1) / 4)
    torch.testing.assert_close(out.images[0][:, ~outside],
                               inputs[0][:, ~outside])
    # fill='blur' with a normal image present: still blurred context, but the
    # complement takes the normal image
    inputs, masks, labels = make_batch([1, 0], [1.0, 2.0])
    out = ContextErasure(dilate=0, fill='blur')(inputs, masks, labels)
    assert out.targets.tolist() == [-1, 0] and out.labels.tolist() == [1, 0]


def test_no_defect_image_gives_empty_batch():
    inputs, masks, labels = make_batch([0, 0], [1.0, 2.0])
    out = ContextErasure()(inputs, masks, labels)
    assert out.num_images == 0
    assert out.images.shape == (0, 3, H, W) and out.masks.shape == (0, 1, H, W)


def test_attention_region_is_used_detached():
    inputs, masks, labels = make_batch([1, 0], [1.0, 2.0])
    region = torch.zeros(2, 1, H, W, requires_grad=True)
    soft = region.detach().clone()
    soft[0, 0, :, :4] = 1.0  # keep the left half of the defect image
    erasure = ContextErasure(region='attention')
    out = erasure(inputs, masks, labels, soft.requires_grad_())
    assert torch.all(out.images[0][:, :, :4] == 1.0)
    assert torch.all(out.images[0][:, :, 4:] == 2.0)
    assert not out.images.requires_grad
    with pytest.raises(ValueError, match='region map'):
        erasure(inputs, masks, labels)


def test_dtype_kept_and_bad_arguments():
    inputs, masks, labels = make_batch([1, 0], [1.0, 2.0])
    out = ContextErasure()(inputs.bfloat16(), masks, labels)
    assert out.images.dtype == torch.bfloat16
    with pytest.raises(ValueError, match='region'):
        ContextErasure(region='box')
    with pytest.raises(ValueError, match='fill'):
        ContextErasure(fill='noise')
    with pytest.raises(ValueError, match='blur_size'):
        ContextErasure(blur_size=4)
    with pytest.raises(ValueError, match='dilate'):
        ContextErasure(dilate=-1)


def test_feather_ramps_the_border_and_keeps_the_defect():
    inputs, masks, labels = make_batch([1, 0], [1.0, 0.0])
    hard = ContextErasure(dilate=2)(inputs, masks, labels).images[0, 0]
    soft = ContextErasure(dilate=2, feather=2)(inputs, masks, labels).images[0, 0]
    # the positive is region * 1 + (1 - region) * 0: the region itself
    assert set(hard.unique().tolist()) == {0.0, 1.0}
    assert torch.all(soft[3:5, 3:5] == 1.0)  # the GT defect is kept whole
    inner = soft[(soft > 0) & (soft < 1)]
    assert inner.numel() > 0  # a ramp, not a step
    assert soft[0, 0] < soft[1, 1] < soft[2, 2] <= 1.0  # rising toward the defect
    with pytest.raises(ValueError, match='feather'):
        ContextErasure(dilate=1, feather=2)


def test_defect_fraction_composes_from_part_of_the_defects():
    inputs, masks, labels = make_batch([1, 1, 1, 1, 0, 0], [1, 2, 3, 4, 0, 0])
    torch.manual_seed(0)
    out = ContextErasure(dilate=1, defect_fraction=0.5)(inputs, masks, labels)
    positives = out.labels == 1
    assert positives.sum() == 2 and (out.labels == 0).sum() == 2
    assert len(set(out.sources[positives].tolist())) == 2
    one = ContextErasure(defect_fraction=0.1)(inputs, masks, labels)
    assert (one.labels == 1).sum() == 1  # at least one defect image
    with pytest.raises(ValueError, match='defect_fraction'):
        ContextErasure(defect_fraction=0.0)


def test_controls_paste_a_normal_region_into_a_normal_context():
    inputs, masks, labels = make_batch([1, 0, 0], [1.0, 2.0, 3.0])
    out = ContextErasure(dilate=1, control=True)(inputs, masks, labels)
    assert out.labels.tolist() == [1, 0, 0]
    control = out.images[2]
    region = torch.zeros(H, W, dtype=torch.bool)
    region[2:6, 2:6] = True
    src, dst = out.sources[2].item(), out.targets[2].item()
    assert {src, dst} <= {1, 2}  # both normal images
    assert torch.all(control[:, region] == inputs[src, 0, 0, 0])
    assert torch.all(control[:, ~region] == inputs[dst, 0, 0, 0])
    assert out.masks[2].sum() == 0
