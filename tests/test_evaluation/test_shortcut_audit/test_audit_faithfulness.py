"""Deletion / insertion curves and wrong-reason mass against hand-computed
cases: a toy "model" whose score is the mean of the pixels in a region."""
import numpy as np
import pytest

from mtl_plugin.evaluation.shortcut_audit import (
    curve_auc,
    faithfulness_curves,
    pixel_order,
    removal_baseline,
    wrong_reason_mass,
)
from mtl_plugin.evaluation.shortcut_audit.faithfulness import curve_images

S = 4
# the evidence: the top-left 2x2 block (4 of the 16 pixels)
REGION = np.zeros((S, S), bool)
REGION[:2, :2] = True


def toy_score(images):
    """Mean of channel 0 over REGION, / 255: ``(M, H, W, C)`` -> ``(M,)``."""
    return images[:, REGION, 0].mean(axis=1) / 255.0


def _case():
    image = np.zeros((S, S, 3), np.uint8)
    image[REGION] = 255
    baseline = np.zeros_like(image)
    return image, baseline


def test_map_on_the_evidence_against_hand_computed_curves():
    image, baseline = _case()
    out = faithfulness_curves(toy_score, image, REGION.astype(float), baseline,
                              num_steps=4, num_random=1)
    # 4 pixels per step, the evidence first: gone after step 1
    assert out['deletion'].tolist() == [1, 0, 0, 0, 0]
    assert out['insertion'].tolist() == [0, 1, 1, 1, 1]
    # trapezoids of width 1/4: (0.5 + 0 + 0 + 0 + 0) / 4 and (0 + 1 + 1 + 1 + 0.5) / 4
    assert float(out['deletion_auc']) == pytest.approx(0.125)
    assert float(out['insertion_auc']) == pytest.approx(0.875)


def test_map_on_the_wrong_pixels_is_worse_than_random():
    image, baseline = _case()
    wrong = (~REGION).astype(float)  # evidence ranked last
    out = faithfulness_curves(toy_score, image, wrong, baseline, num_steps=4,
                              num_random=300, rng=np.random.default_rng(0))
    assert out['deletion'].tolist() == [1, 1, 1, 1, 0]
    assert float(out['deletion_auc']) == pytest.approx(0.875)
    assert float(out['insertion_auc']) == pytest.approx(0.125)
    # a random order removes k/4 of the evidence at step k on average: AUC 1/2
    assert out['deletion_random'].shape == (300, 5)
    assert float(out['deletion_auc_random']) == pytest.approx(0.5, abs=0.02)
    assert float(out['insertion_auc_random']) == pytest.approx(0.5, abs=0.02)
    assert out['deletion_random'][:, 0].tolist() == [1.0] * 300


def test_curve_frames_and_order():
    image, baseline = _case()
    baseline[:] = 7
    order = pixel_order(np.arange(S * S, dtype=float).reshape(S, S))
    assert order.tolist() == list(range(S * S))[::-1]
    frames = curve_images(image, baseline, order, 4, 'deletion')
    assert frames.shape == (5, S, S, 3)
    assert np.array_equal(frames[0], image) and np.array_equal(frames[4], baseline)
    # step 1 removed the 4 most salient pixels: the last row
    assert (frames[1][3] == 7).all() and np.array_equal(frames[1][:3], image[:3])
    ins = curve_images(image, baseline, order, 4, 'insertion')
    assert np.array_equal(ins[0], baseline) and np.array_equal(ins[4], image)
    # ties: raster order without a generator, seeded random order with one
    flat = np.zeros((S, S))
    assert pixel_order(flat).tolist() == list(range(S * S))
    a = pixel_order(flat, np.random.default_rng(1))
    assert sorted(a.tolist()) == list(range(S * S)) and a.tolist() != list(range(S * S))
    with pytest.raises(ValueError, match='mode'):
        curve_images(image, baseline, order, 4, 'erase')


def test_auc_and_baselines():
    assert curve_auc(np.array([1.0, 1.0])) == 1.0
    assert curve_auc(np.array([0.0, 1.0, 0.0])) == pytest.approx(0.5)
    image = np.zeros((8, 8, 3), np.uint8)
    image[..., 0] = 10
    image[:4, :, 1] = 100
    mean = removal_baseline(image, 'mean')
    assert mean.shape == image.shape and (mean[..., 0] == 10).all()
    assert (mean[..., 1] == 50).all() and (mean[..., 2] == 0).all()
    flat = np.full((8, 8, 3), 77, np.uint8)
    assert np.array_equal(removal_baseline(flat, 'blur'), flat)
    blurred = removal_baseline(image, 'blur', sigma=2.0)
    assert 0 < blurred[3, 0, 1] < 100 and 0 < blurred[4, 0, 1] < 100
    with pytest.raises(ValueError, match='kind'):
        removal_baseline(image, 'zero')


def test_wrong_reason_mass():
    region = np.zeros((4, 4), bool)
    region[:2, :2] = True
    assert wrong_reason_mass(region.astype(float), region) == (0.0, 0.75)
    # constant map: uniform, the chance level
    assert wrong_reason_mass(np.full((4, 4), 3.0), region) == (0.75, 0.75)
    # two peaks of equal height, one inside and one outside; min-max first
    cam = np.full((4, 4), -1.0)
    cam[0, 0] = cam[3, 3] = 1.0
    assert wrong_reason_mass(cam, region) == (0.5, 0.75)
    with pytest.raises(ValueError, match='shape'):
        wrong_reason_mass(np.zeros((3, 3)), region)
