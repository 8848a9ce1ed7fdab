"""The photo defect family: the photographs load offline from scikit-image,
determinism, exact masks per defect kind, the three shortcut cues at their
rates on train and absent from a cue-free test split, the oracle twin, bad
parameters."""
import json
import os.path as osp
import socket

import cv2
import numpy as np
import pytest

from mtl_plugin.datasets import DefectDataset
from mtl_plugin.datasets.synthetic import photo_surfaces
from mtl_plugin.datasets.synthetic.photo_defect_generator import (
    CRACK_FADE,
    CRACK_GENERATIONS,
    CRACK_RANGE,
    CUE_STRENGTH_MAX,
    HAIRLINE_RANGE,
    PHOTO_DEFECT_KINDS,
    SHORTCUT_KINDS,
    STAIN_RANGE,
    PhotoDefectGeneratorConfig,
    generate_defect_dataset,
    generate_image,
)
from mtl_plugin.datasets.synthetic.photo_surfaces import (
    PHOTO_SURFACES,
    SURFACE_HIGH,
    SURFACE_LOW,
    load_photo,
    render_surface,
)

GREY = ('brick', 'grass', 'gravel')


def _has_stamp(img, size):
    """The stamp pattern in the top-left corner: dark frame, bright inside."""
    return bool((img[2:size, 2:size] == 245).all() and (img[1, 1:1 + size] == 20).all())


def test_photographs_load_offline_from_the_installed_package(monkeypatch):
    import skimage

    def no_network(*args, **kwargs):
        raise AssertionError('the photographs must not be downloaded')

    monkeypatch.setattr(socket.socket, 'connect', no_network)
    load_photo.cache_clear()
    folder = photo_surfaces.photo_dir()
    assert osp.commonpath([folder, osp.dirname(skimage.__file__)]) == \
        osp.dirname(skimage.__file__)
    for name in PHOTO_SURFACES:
        photo = load_photo(name)
        assert photo.dtype == np.float32 and photo.ndim == 3 and photo.shape[2] == 3
        assert min(photo.shape[:2]) >= 110 and photo.std() > 10  # a real texture
        assert not photo.flags.writeable
        grey = (photo[..., 0] == photo[..., 2]).all()
        assert grey == (name in GREY), name
    assert load_photo('brick').shape == (512, 512, 3)
    assert load_photo('wood').shape == (320, 110, 3)
    with pytest.raises(ValueError, match="unknown surface 'marble'"):
        load_photo('marble')


def test_views_vary_stay_in_range_and_draw_the_same_amount():
    views = [render_surface(np.random.default_rng(i), PHOTO_SURFACES[i % 4], 40, 56)
             for i in range(8)]
    for view in views:
        assert view.shape == (40, 56, 3) and view.dtype == np.float32
        assert view.min() >= SURFACE_LOW - 1e-3 and view.max() <= SURFACE_HIGH + 1e-3
    # the same generator on the same surface: the same view; another: another
    again = render_surface(np.random.default_rng(0), 'brick', 40, 56)
    assert np.array_equal(views[0], again)
    assert not np.allclose(views[0], render_surface(np.random.default_rng(4), 'brick', 40, 56))
    # geometry and lighting take the same draws on every surface
    states = set()
    for name in PHOTO_SURFACES:
        rng = np.random.default_rng(7)
        render_surface(rng, name, 40, 56)
        states.add(rng.random())
    assert len(states) == 1


def test_deterministic_order_free_and_seeded():
    cfg = PhotoDefectGeneratorConfig(height=48, width=64, seed=3)
    a = [generate_image(cfg, 'train', i) for i in range(5)]
    b = [generate_image(cfg, 'train', i) for i in reversed(range(5))][::-1]
    for (ia, ma, fa), (ib, mb, fb) in zip(a, b):
        assert np.array_equal(ia, ib) and np.array_equal(ma, mb) and fa == fb
        assert fa['surface'] in PHOTO_SURFACES
    other = generate_image(PhotoDefectGeneratorConfig(height=48, width=64, seed=4),
                           'train', 0)
    assert not np.array_equal(a[0][0], other[0])
    assert a[0][0].shape == (48, 64, 3) and a[0][0].dtype == np.uint8
    assert not np.array_equal(a[0][0], generate_image(cfg, 'test', 0)[0])


@pytest.mark.parametrize('kind', PHOTO_DEFECT_KINDS)
def test_mask_is_exactly_the_changed_pixels(kind):
    """Against the defect-free twin (same surface, view and cue), under each
    shortcut with the cue planted: the changed pixels (any channel) are exactly
    the mask, and the change is faint."""
    for i in range(12):
        shortcut = SHORTCUT_KINDS[i % 3]
        cfg = PhotoDefectGeneratorConfig(height=48, width=48, defect_ratio=1.0,
                                         max_defects=2, defect_kinds=(kind,),
                                         shortcut=shortcut, cue_prob=1.0, seed=1)
        img, mask, info = generate_image(cfg, 'train', i)
        twin, twin_mask, twin_info = generate_image(cfg, 'train', i, defect_free=True)
        assert np.array_equal(mask, twin_mask) and info == twin_info
        assert info['label'] == 1 and info['cue'] and set(info['kinds']) == {kind}
        diff = img.astype(int) - twin.astype(int)
        assert np.array_equal((diff != 0).any(axis=2), mask.astype(bool)), (kind, i)
        assert set(np.unique(mask)) <= {0, 1}
        on = mask > 0
        if kind == 'hairline':  # 1-2 px wide: a few pixels per image length
            assert 0 < on.sum() <= 2 * 3 * 48
            assert (np.abs(diff[on]) <= HAIRLINE_RANGE[1] + 1).all()
        else:  # darkening by a fraction of the texture underneath (green: no cast)
            faintest = CRACK_RANGE[0] * CRACK_FADE ** CRACK_GENERATIONS
            low, high = STAIN_RANGE if kind == 'stain' else (faintest - 0.01,
                                                             CRACK_RANGE[1] + 0.01)
            under, change = twin[on][:, 1].astype(float), diff[on][:, 1]
            assert (change <= -low * under + 1.5).all()
            assert (change >= -high * under - 1.5).all()


def test_no_clipping_at_the_strongest_cast():
    cfg = PhotoDefectGeneratorConfig(height=48, width=48, defect_ratio=1.0, max_defects=3,
                                     shortcut='global', cue_strength=CUE_STRENGTH_MAX,
                                     cue_prob=1.0, seed=2)
    imgs = np.stack([generate_image(cfg, 'train', i)[0] for i in range(30)])
    # a clipped (or wrapped) value would sit at 0 or 255
    assert imgs.min() >= 1 and imgs.max() <= 254


def _cues(cfg, split, n):
    return [generate_image(cfg, split, i)[2] for i in range(n)]


def _rate(infos, label):
    return np.mean([i['cue'] for i in infos if i['label'] == label])


@pytest.mark.parametrize('shortcut', SHORTCUT_KINDS)
def test_cue_rates_per_split_and_the_cue_is_in_the_pixels(shortcut):
    """Train: the cue on ~90 % of defect images and ~10 % of normal ones; a
    cue-free test split (test_cue_prob=0) has none. The image shows it: the
    stamp, the cast (grey surfaces: red - blue = 2 x strength), or the flagged
    surface (wood: the only colour one)."""
    kw = dict(height=32, width=32, shortcut=shortcut, cue_prob=0.9, cue_prob_normal=0.1)
    if shortcut == 'global':
        kw['surfaces'] = GREY
    if shortcut == 'surface':
        kw['cue_surface'] = 'wood'
    cfg = PhotoDefectGeneratorConfig(**kw)
    for split, n in (('train', 300), ('test', 150)):
        for i in range(n):
            img, mask, info = generate_image(cfg, split, i)
            if shortcut == 'stamp':
                shown = _has_stamp(img, cfg.stamp_size)
            elif shortcut == 'global':
                shown = (img[..., 2].astype(int) - img[..., 0]).mean() == 2 * cfg.cast
            else:
                shown = bool((img[..., 0] != img[..., 2]).any())
                assert (info['surface'] == 'wood') == info['cue']
            assert shown == info['cue'] and info['label'] == int(mask.any()), (split, i)
            if split == 'test':
                assert not info['cue']
    train = _cues(cfg, 'train', 300)
    assert abs(_rate(train, 1) - 0.9) < 0.08 and abs(_rate(train, 0) - 0.1) < 0.08


def test_surface_cue_on_test_is_independent_of_the_label():
    """test_cue_prob is the share of the flagged surface on test, whatever the
    label; the other surfaces share the rest uniformly."""
    cfg = PhotoDefectGeneratorConfig(height=32, width=32, shortcut='surface',
                                     test_cue_prob=0.25, seed=1)
    assert cfg.flagged_surface == PHOTO_SURFACES[0]
    infos = _cues(cfg, 'test', 600)
    for label in (0, 1):
        share = {s: np.mean([i['surface'] == s for i in infos if i['label'] == label])
                 for s in PHOTO_SURFACES}
        assert all(abs(v - 0.25) < 0.08 for v in share.values()), (label, share)
    assert all(i['cue'] == (i['surface'] == 'brick') for i in infos)
    # with the default 0, the flagged surface is left out of the test split
    free = _cues(PhotoDefectGeneratorConfig(height=32, width=32, shortcut='surface'),
                 'test', 60)
    assert {i['surface'] for i in free} == set(PHOTO_SURFACES[1:])


@pytest.mark.parametrize('shortcut', SHORTCUT_KINDS)
def test_oracle_twin(shortcut):
    """Changing only the cue rates (biased -> label-independent) keeps every
    label, mask and defect kind; an image whose cue decision is unchanged is
    identical; one whose decision flips differs by the stamp (inside its
    corner), by the cast (at every pixel), or shows another surface."""
    kw = dict(height=48, width=48, seed=2, shortcut=shortcut)
    biased = PhotoDefectGeneratorConfig(cue_prob=0.95, cue_prob_normal=0.05, **kw)
    oracle = PhotoDefectGeneratorConfig(cue_prob=0.5, cue_prob_normal=0.5, **kw)
    flipped = 0
    for i in range(40):
        ib, mb, fb = generate_image(biased, 'train', i)
        io, mo, fo = generate_image(oracle, 'train', i)
        assert np.array_equal(mb, mo) and fb['label'] == fo['label']
        assert fb['kinds'] == fo['kinds']
        diff = io.astype(int) - ib.astype(int)
        if fb['cue'] == fo['cue']:
            assert not diff.any() and fb['surface'] == fo['surface']
            continue
        flipped += 1
        sign = 1 if fo['cue'] else -1
        if shortcut == 'stamp':
            size = biased.stamp_size
            assert not diff[size + 1:].any() and not diff[:, size + 1:].any()
            assert _has_stamp(io if fo['cue'] else ib, size)
        elif shortcut == 'global':
            assert (diff == sign * np.array([-biased.cast, 0, biased.cast])).all()
        else:
            assert fb['surface'] != fo['surface']
            assert (fo['surface'] == oracle.flagged_surface) == fo['cue']
    assert flipped >= 8
    infos = _cues(oracle, 'train', 200)
    assert abs(_rate(infos, 0) - _rate(infos, 1)) < 0.2


def test_written_set_records_the_shortcut_and_loads(tmp_path):
    cfg = PhotoDefectGeneratorConfig(height=40, width=40, num_train=20, num_test=8,
                                     shortcut='surface', surfaces=('grass', 'wood'),
                                     cue_surface='wood', cue_prob=1.0, cue_prob_normal=0.0)
    summary = generate_defect_dataset(cfg, str(tmp_path), progress=False)
    assert summary['train']['cue_rate_defect'] == 1.0
    assert summary['train']['cue_rate_normal'] == 0.0
    info = json.load(open(tmp_path / 'generation_info.json'))
    assert info['family'] == 'photo'
    assert info['config']['shortcut'] == 'surface' and info['config']['cue_surface'] == 'wood'
    assert info['config']['surfaces'] == ['grass', 'wood']
    for rec in info['splits']['train']:
        assert rec['surface'] == ('wood' if rec['label'] else 'grass') and rec['cue'] == bool(
            rec['label'])
    assert {r['surface'] for r in info['splits']['test']} == {'grass'}
    img = cv2.imread(str(tmp_path / 'train' / '00000.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (40, 40, 3)
    ds = DefectDataset(data_root=str(tmp_path), split='train')
    assert len(ds) == 20
    labels = [ds.get_data_info(i)['gt_label'] for i in range(20)]
    assert sum(labels) == summary['train']['defects']


def test_bad_parameters_are_rejected_by_name():
    cases = [
        (dict(defect_kinds=('hairline', 'hole')), "unknown defect_kinds \\['hole'\\]"),
        (dict(defect_kinds=()), 'defect_kinds is empty'),
        (dict(surfaces=('brick', 'marble')), "unknown surfaces \\['marble'\\]"),
        (dict(surfaces=('brick', 'brick')), 'surfaces=.* lists a name twice'),
        (dict(shortcut='corner'), "shortcut='corner'"),
        (dict(shortcut='surface', surfaces=('grass',)), 'needs at least two surfaces'),
        (dict(shortcut='surface', surfaces=('grass', 'wood'), cue_surface='brick'),
         "cue_surface='brick'; expected one of"),
        (dict(cue_surface='wood'), "cue_surface='wood' applies to shortcut='surface' only"),
        (dict(shortcut='global', cue_size=4), "cue_size=4 applies to shortcut='stamp'"),
        (dict(cue_strength=5), "cue_strength=5 applies to shortcut='global'"),
        (dict(shortcut='global', cue_strength=CUE_STRENGTH_MAX + 1),
         f'cue_strength={CUE_STRENGTH_MAX + 1}'),
        (dict(shortcut='global', cue_strength=2.5), 'cue_strength=2.5'),
        (dict(cue_size=-1), 'cue_size=-1'),
        (dict(height=64, width=64, cue_size=17),
         'cue_size=17; expected an integer in \\[0, 16\\]'),
        (dict(cue_prob_normal=-0.1), 'cue_prob_normal=-0.1'),
        (dict(test_cue_prob=2), 'test_cue_prob'),
        (dict(height=16), 'expected >= 32 px'),
        (dict(max_defects=0), 'max_defects=0'),
    ]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            PhotoDefectGeneratorConfig(**kwargs)
