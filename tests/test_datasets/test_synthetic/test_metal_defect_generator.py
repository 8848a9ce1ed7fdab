import json
import os.path as osp
import time

import cv2
import numpy as np
import pytest

from mtl_plugin.datasets import DefectDataset
from mtl_plugin.datasets.synthetic.metal_defect_generator import (
    DEFECT_KINDS,
    MetalDefectGeneratorConfig,
    draw_cue,
    generate_defect_dataset,
    generate_image,
    make_surface,
)


def test_deterministic_for_a_seed_and_seed_matters():
    cfg = MetalDefectGeneratorConfig(height=48, width=64, seed=3)
    a = [generate_image(cfg, 'train', i) for i in range(5)]
    b = [generate_image(cfg, 'train', i) for i in reversed(range(5))][::-1]
    for (ia, ma, fa), (ib, mb, fb) in zip(a, b):
        assert np.array_equal(ia, ib) and np.array_equal(ma, mb) and fa == fb
    other = generate_image(MetalDefectGeneratorConfig(height=48, width=64, seed=4), 'train', 0)
    assert not np.array_equal(a[0][0], other[0])
    assert a[0][0].shape == (48, 64) and a[0][0].dtype == np.uint8


def test_masks_are_exact():
    """Every mask pixel differs from the defect-free surface, no other pixel
    outside the cue stamp does."""
    cfg = MetalDefectGeneratorConfig(height=64, width=64, defect_ratio=1.0, max_defects=3,
                                cue_prob=0.0, seed=1)
    kinds = set()
    for i in range(24):
        img, mask, info = generate_image(cfg, 'train', i)
        rng = np.random.default_rng([cfg.seed, 0, i])
        surface = np.clip(np.round(make_surface(rng, 64, 64)), 0, 255).astype(np.uint8)
        changed = img != surface
        assert info['label'] == 1 and mask.any()
        assert np.array_equal(changed, mask.astype(bool)), f'sample {i}'
        assert set(np.unique(mask)) <= {0, 1}
        kinds |= set(info['kinds'])
    assert kinds == set(DEFECT_KINDS)


def test_cue_correlates_with_label_in_train_only(tmp_path):
    cfg = MetalDefectGeneratorConfig(height=32, width=32, num_train=200, num_test=200,
                                cue_prob=0.9, cue_prob_normal=0.1, test_cue_prob=0.5,
                                seed=0)
    summary = generate_defect_dataset(cfg, str(tmp_path), progress=False)
    tr, te = summary['train'], summary['test']
    assert tr['cue_rate_defect'] > 0.8 and tr['cue_rate_normal'] < 0.2
    assert abs(te['cue_rate_defect'] - te['cue_rate_normal']) < 0.2
    # the recorded cue is really in the pixels: the stamp pattern in the corner
    stamp = np.full((32, 32), 128.0, np.float32)
    draw_cue(stamp, cfg.stamp_size)
    s = cfg.stamp_size
    info = json.load(open(osp.join(str(tmp_path), 'generation_info.json')))
    for rec in info['splits']['train'][:40]:
        img = cv2.imread(osp.join(str(tmp_path), 'train', rec['id'] + '.png'), 0)
        has = np.array_equal(img[1:1 + s, 1:1 + s], stamp[1:1 + s, 1:1 + s].astype(np.uint8))
        assert has == rec['cue']
    # default test split is cue-free
    clean = MetalDefectGeneratorConfig(height=32, width=32)
    assert not any(generate_image(clean, 'test', i)[2]['cue'] for i in range(50))


def test_output_is_a_valid_kolektorsdd2_layout_and_fast(tmp_path):
    cfg = MetalDefectGeneratorConfig(height=128, width=128, num_train=150, num_test=50)
    start = time.perf_counter()
    summary = generate_defect_dataset(cfg, str(tmp_path), progress=False)
    elapsed = time.perf_counter() - start
    assert elapsed < 20, f'200 images of 128 px took {elapsed:.1f} s'
    ds = DefectDataset(data_root=str(tmp_path), split='train')
    assert ds.layout == 'kolektorsdd2' and len(ds) == 150
    n_def = sum(ds.get_data_info(i)['gt_label'] for i in range(len(ds)))
    assert n_def == summary['train']['defects']
    assert 0.3 < n_def / 150 < 0.7


def test_config_validation():
    with pytest.raises(ValueError, match='unknown defect kinds'):
        MetalDefectGeneratorConfig(defect_kinds=('dent', ))
    with pytest.raises(ValueError, match='cue_prob'):
        MetalDefectGeneratorConfig(cue_prob=1.5)


def test_oracle_twin_differs_only_by_the_cue():
    """Changing only the cue rates (biased -> label-independent) keeps every
    image, mask and label: the cue is the last draw of each image's own
    generator. Images whose cue flag flips differ inside the stamp only."""
    kw = dict(height=48, width=48, seed=2)
    biased = MetalDefectGeneratorConfig(cue_prob=0.95, cue_prob_normal=0.05, **kw)
    oracle = MetalDefectGeneratorConfig(cue_prob=0.5, cue_prob_normal=0.5, **kw)
    s = biased.stamp_size
    flipped = 0
    for i in range(60):
        ib, mb, fb = generate_image(biased, 'train', i)
        io, mo, fo = generate_image(oracle, 'train', i)
        assert np.array_equal(mb, mo) and fb['label'] == fo['label']
        changed = ib != io
        if fb['cue'] == fo['cue']:
            assert not changed.any()
        else:
            flipped += 1
            assert changed.any() and not changed[1 + s:, :].any() \
                and not changed[:, 1 + s:].any()
    assert flipped > 10
