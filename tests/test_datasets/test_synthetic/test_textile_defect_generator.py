"""The textile defect family: exact masks, determinism, cue rates per split,
the colour cast in the pixels, the oracle twin, bad parameters."""
import json

import cv2
import numpy as np
import pytest

from mtl_plugin.datasets import DefectDataset
from mtl_plugin.datasets.synthetic.textile_defect_generator import (
    CUE_STRENGTH_MAX,
    TEXTILE_DEFECT_KINDS,
    TextileDefectGeneratorConfig,
    generate_defect_dataset,
    generate_image,
)


def _cast(img):
    """Mean blue minus mean red, grey levels: ~0 (tint jitter <= 6) without
    the cue, ~2 x cue_strength with it."""
    return float(img[..., 0].astype(float).mean() - img[..., 2].astype(float).mean())


def test_deterministic_order_free_and_seeded():
    cfg = TextileDefectGeneratorConfig(height=48, width=64, seed=3)
    a = [generate_image(cfg, 'train', i) for i in range(5)]
    b = [generate_image(cfg, 'train', i) for i in reversed(range(5))][::-1]
    for (ia, ma, fa), (ib, mb, fb) in zip(a, b):
        assert np.array_equal(ia, ib) and np.array_equal(ma, mb) and fa == fb
    other = generate_image(TextileDefectGeneratorConfig(height=48, width=64, seed=4),
                           'train', 0)
    assert not np.array_equal(a[0][0], other[0])
    assert a[0][0].shape == (48, 64, 3) and a[0][0].dtype == np.uint8
    # train and test of one seed are different images
    assert not np.array_equal(a[0][0], generate_image(cfg, 'test', 0)[0])


@pytest.mark.parametrize('cue_prob', [0.0, 1.0])
def test_mask_is_exactly_the_changed_pixels(cue_prob):
    """Against the defect-free twin (same surface, same cue): every mask pixel
    changed in all three channels, by >= 40 grey levels, no other pixel."""
    cfg = TextileDefectGeneratorConfig(height=64, width=64, defect_ratio=1.0,
                                       max_defects=3, cue_prob=cue_prob, seed=1)
    kinds = set()
    for i in range(30):
        img, mask, info = generate_image(cfg, 'train', i)
        twin, twin_mask, twin_info = generate_image(cfg, 'train', i, defect_free=True)
        assert np.array_equal(mask, twin_mask) and info == twin_info
        assert info['label'] == 1 and mask.any() and info['cue'] == bool(cue_prob)
        diff = np.abs(img.astype(int) - twin.astype(int))
        assert np.array_equal(diff.any(axis=2), mask.astype(bool)), f'sample {i}'
        assert (diff[mask > 0] >= 39).all()  # 40 minus one rounding step
        assert set(np.unique(mask)) <= {0, 1}
        kinds |= set(info['kinds'])
    assert kinds == set(TEXTILE_DEFECT_KINDS)


def test_cue_rates_per_split_and_the_cast_is_in_the_pixels(tmp_path):
    cfg = TextileDefectGeneratorConfig(height=32, width=32, num_train=300, num_test=200,
                                       cue_prob=0.9, cue_prob_normal=0.1,
                                       test_cue_prob=0.0, cue_strength=10, seed=0)
    summary = generate_defect_dataset(cfg, str(tmp_path), progress=False)
    tr, te = summary['train'], summary['test']
    assert abs(tr['cue_rate_defect'] - 0.9) < 0.07
    assert abs(tr['cue_rate_normal'] - 0.1) < 0.07
    assert te['cue_rate_defect'] == 0.0 and te['cue_rate_normal'] == 0.0
    info = json.load(open(tmp_path / 'generation_info.json'))
    assert info['family'] == 'textile' and info['config']['cue_strength'] == 10
    for split in ('train', 'test'):
        for rec in info['splits'][split][:60]:
            img = cv2.imread(str(tmp_path / split / f'{rec["id"]}.png'), cv2.IMREAD_COLOR)
            assert (_cast(img) > 12) == rec['cue'], (split, rec)
            gt = cv2.imread(str(tmp_path / split / f'{rec["id"]}_GT.png'), 0)
            assert set(np.unique(gt)) <= {0, 255} and bool(gt.any()) == bool(rec['label'])
    # the test split gets its own rate, whatever the label
    half = TextileDefectGeneratorConfig(height=32, width=32, test_cue_prob=0.5, seed=0)
    cues = [generate_image(half, 'test', i)[2] for i in range(600)]
    for label in (0, 1):
        rate = np.mean([c['cue'] for c in cues if c['label'] == label])
        assert abs(rate - 0.5) < 0.1


def test_oracle_twin_differs_only_by_the_cue():
    """Changing only the cue rates (biased -> label-independent) keeps every
    image, mask and label; images whose cue flag flips differ by exactly the
    cast (+s blue, 0 green, -s red) at every pixel."""
    kw = dict(height=48, width=48, seed=2, cue_strength=7)
    biased = TextileDefectGeneratorConfig(cue_prob=0.95, cue_prob_normal=0.05, **kw)
    oracle = TextileDefectGeneratorConfig(cue_prob=0.5, cue_prob_normal=0.5, **kw)
    flipped = 0
    for i in range(60):
        ib, mb, fb = generate_image(biased, 'train', i)
        io, mo, fo = generate_image(oracle, 'train', i)
        assert np.array_equal(mb, mo) and fb['label'] == fo['label']
        assert fb['kinds'] == fo['kinds']
        diff = io.astype(int) - ib.astype(int)
        if fb['cue'] == fo['cue']:
            assert not diff.any()
        else:
            flipped += 1
            sign = 1 if fo['cue'] else -1
            assert (diff == sign * np.array([7, 0, -7])).all()
    assert flipped > 10
    # the oracle's cue does not predict the label
    cues = [generate_image(oracle, 'train', i)[2] for i in range(300)]
    rates = [np.mean([c['cue'] for c in cues if c['label'] == k]) for k in (0, 1)]
    assert abs(rates[0] - rates[1]) < 0.15


def test_written_set_loads_as_kolektorsdd2(tmp_path):
    cfg = TextileDefectGeneratorConfig(height=64, width=64, num_train=30, num_test=10)
    summary = generate_defect_dataset(cfg, str(tmp_path), progress=False)
    ds = DefectDataset(data_root=str(tmp_path), split='train')
    assert ds.layout == 'kolektorsdd2' and len(ds) == 30
    assert sum(ds.get_data_info(i)['gt_label'] for i in range(30)) == summary['train']['defects']


def test_bad_parameters_are_rejected_by_name():
    with pytest.raises(ValueError, match="unknown defect kinds \\['scratch'\\]"):
        TextileDefectGeneratorConfig(defect_kinds=('hole', 'scratch'))
    with pytest.raises(ValueError, match='defect_kinds is empty'):
        TextileDefectGeneratorConfig(defect_kinds=())
    with pytest.raises(ValueError, match='cue_prob_normal=-0.1'):
        TextileDefectGeneratorConfig(cue_prob_normal=-0.1)
    with pytest.raises(ValueError, match='test_cue_prob'):
        TextileDefectGeneratorConfig(test_cue_prob=2)
    with pytest.raises(ValueError, match='expected >= 32 px'):
        TextileDefectGeneratorConfig(height=16)
    with pytest.raises(ValueError, match='max_defects=0'):
        TextileDefectGeneratorConfig(max_defects=0)
    for bad in (0, CUE_STRENGTH_MAX + 1, 2.5):
        with pytest.raises(ValueError, match='cue_strength'):
            TextileDefectGeneratorConfig(cue_strength=bad)
