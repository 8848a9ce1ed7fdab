"""Composites of the shortcut audit on hand-made images with known answers:
what is erased, what is pasted, that masks and their dilation are
respected, each fill and blending option."""
import numpy as np
import pytest

from mtl_plugin.evaluation.shortcut_audit import (
    blend_weights,
    defect_region,
    paste_region,
    remove_defect,
)

S = 24


def _flat(value, channels=3):
    return np.full((S, S, channels), value, np.uint8)


def _mask(y0, y1, x0, x1):
    m = np.zeros((S, S), bool)
    m[y0:y1, x0:x1] = True
    return m


def _outside_unchanged(out, ref, region):
    return np.array_equal(out[~region], ref[~region])


def test_region_is_the_square_dilation_clipped_at_the_border():
    one = _mask(10, 11, 10, 11)
    assert np.array_equal(defect_region(one, 2), _mask(8, 13, 8, 13))
    assert np.array_equal(defect_region(one, 0), one)
    corner = _mask(0, 1, 0, 1)
    assert np.array_equal(defect_region(corner, 1), _mask(0, 2, 0, 2))


@pytest.mark.parametrize('blend', ['hard', 'alpha', 'poisson'])
def test_paste_changes_only_the_dilated_region(blend):
    src, dst = _flat(160), _flat(100)
    src[10:13, 10:13] = 60  # the defect: 100 grey levels darker than its surface
    mask = _mask(10, 13, 10, 13)
    for dilate in (0, 2):
        region = defect_region(mask, dilate)
        out = paste_region(src, dst, mask, dilate, blend)
        assert out.dtype == np.uint8 and out.shape == dst.shape
        assert _outside_unchanged(out, dst, region)
        assert not np.array_equal(out[region], dst[region])


def test_hard_paste_copies_the_region_exactly():
    src = np.arange(S * S * 3, dtype=np.uint8).reshape(S, S, 3)
    dst = _flat(7)
    mask = _mask(4, 6, 15, 18)
    out = paste_region(src, dst, mask, 1, 'hard')
    region = _mask(3, 7, 14, 19)
    assert np.array_equal(out[region], src[region])
    assert np.array_equal(out[~region], dst[~region])


def test_alpha_falls_linearly_across_the_dilation_ring():
    mask = _mask(10, 12, 10, 12)
    w = blend_weights(mask, 2, 'alpha')
    assert w[10, 10] == 1.0 and w[11, 11] == 1.0
    assert w[9, 10] == pytest.approx(2 / 3) and w[8, 8] == pytest.approx(1 / 3)
    assert w[7, 10] == 0.0 and w[13, 13] == pytest.approx(1 / 3)
    assert np.array_equal(w > 0, defect_region(mask, 2))
    assert np.array_equal(blend_weights(mask, 0, 'alpha'), mask.astype(np.float32))
    # src 210 on the mask, dst 30: 30 + w * 180
    out = paste_region(_flat(210), _flat(30), mask, 2, 'alpha')
    assert out[10, 10, 0] == 210 and out[9, 10, 0] == 150 and out[8, 8, 0] == 90
    assert out[7, 10, 0] == 30


def test_poisson_keeps_the_defect_contrast_on_the_new_surface():
    src, dst = _flat(160), _flat(100)
    src[10:13, 10:13] = 120  # 40 darker than its own surface
    mask = _mask(10, 13, 10, 13)
    out = paste_region(src, dst, mask, 2, 'poisson').astype(int)
    # gradient-domain paste: the defect keeps its contrast, the surface is dst's
    assert abs(out[11, 11, 0] - 60) <= 3
    assert abs(out[8, 8, 0] - 100) <= 3
    # a hard paste would carry the source surface (160) along
    assert paste_region(src, dst, mask, 2, 'hard')[8, 8, 0] == 160


def test_poisson_at_the_image_border_and_on_one_channel():
    src, dst = _flat(160), _flat(100)
    mask = _mask(0, 2, 0, 2)
    out = paste_region(src, dst, mask, 1, 'poisson')
    assert _outside_unchanged(out, dst, defect_region(mask, 1))
    with pytest.raises(ValueError, match='3-channel'):
        paste_region(_flat(1, 1), _flat(2, 1), mask, 1, 'poisson')


@pytest.mark.parametrize('fill', ['normal', 'inpaint', 'blur'])
def test_remove_defect_erases_the_defect_and_nothing_else(fill):
    image = _flat(120)
    image[5:20, 23] = 90  # a line that is no defect, out of reach of the fills
    image[10:13, 10:13] = 0  # the defect
    mask = _mask(10, 13, 10, 13)
    donor = _flat(120)
    out = remove_defect(image, mask, 2, fill, donor=donor, blend='hard')
    region = defect_region(mask, 2)
    assert _outside_unchanged(out, image, region)
    # defect-free content of a flat 120 surface: 120 (Telea's inpainting is
    # off by a grey level or two; reading the defect, 0, would be far off)
    assert np.abs(out[region].astype(int) - 120).max() <= 3
    assert out[5:20, 23, 0].tolist() == [90] * 15


def test_remove_defect_normal_takes_the_donor_and_its_blending():
    image, donor = _flat(200), np.zeros((S, S, 3), np.uint8)
    donor[..., 1] = 50
    mask = _mask(8, 10, 8, 10)
    hard = remove_defect(image, mask, 1, 'normal', donor=donor, blend='hard')
    region = defect_region(mask, 1)
    assert np.array_equal(hard[region], donor[region])
    alpha = remove_defect(image, mask, 1, 'normal', donor=donor, blend='alpha')
    # the mask itself fully replaced, the ring half
    assert np.array_equal(alpha[mask], donor[mask])
    assert alpha[7, 7].tolist() == [100, 125, 100]
    with pytest.raises(ValueError, match='donor'):
        remove_defect(image, mask, 1, 'normal')


def test_blur_fill_reads_only_pixels_outside_the_region():
    image = _flat(0)
    image[:, :12] = 40
    image[:, 12:] = 200
    image[8:16, 10:14] = 255  # defect straddling the edge
    mask = _mask(8, 16, 10, 14)
    out = remove_defect(image, mask, 0, 'blur', blur_size=5)
    assert out[12, 10, 0] == 40 and out[12, 13, 0] == 200  # its own side only
    # a region wider than the window: fall back to the mean outside it
    big = _mask(0, S, 4, 20)
    out = remove_defect(image, big, 0, 'blur', blur_size=3)
    outside = image[~big].astype(float).mean()
    assert abs(int(out[5, 12, 0]) - outside) <= 1


def test_bad_inputs_are_named():
    mask = _mask(1, 3, 1, 3)
    with pytest.raises(ValueError, match='blend'):
        paste_region(_flat(1), _flat(2), mask, 1, 'glue')
    with pytest.raises(ValueError, match='one shape'):
        paste_region(_flat(1), np.zeros((S, S + 1, 3), np.uint8), mask, 1, 'hard')
    with pytest.raises(ValueError, match='mask'):
        paste_region(_flat(1), _flat(2), np.zeros((4, 4), bool), 1, 'hard')
    with pytest.raises(ValueError, match='fill'):
        remove_defect(_flat(1), mask, 1, 'paint')
