import logging
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger

from mtl_plugin.datasets import DefectDataset
from mtl_plugin.datasets.defect_dataset import stratified_partition
from mtl_plugin.datasets.defect_mask_io import DefectDataError

H, W = 24, 32


def _img(path, h=H, w=W, value=128):
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, np.full((h, w, 3), value, np.uint8))


def _mask(path, fg=True, h=H, w=W, high=255):
    os.makedirs(osp.dirname(path), exist_ok=True)
    m = np.zeros((h, w), np.uint8)
    if fg:
        m[5:10, 5:12] = high
    cv2.imwrite(path, m)


def make_ksdd2(root, n_def=2, n_norm=3, split='train'):
    for i in range(n_def + n_norm):
        _img(osp.join(root, split, f'{i:03d}.png'))
        _mask(osp.join(root, split, f'{i:03d}_GT.png'), fg=i < n_def)


def make_mvtec(root, cat='bottle'):
    c = osp.join(root, cat)
    for i in range(3):
        _img(osp.join(c, 'train', 'good', f'{i:03d}.png'))
    for i in range(2):
        _img(osp.join(c, 'test', 'good', f'{i:03d}.png'))
    for i in range(2):
        _img(osp.join(c, 'test', 'broken', f'{i:03d}.png'))
        _mask(osp.join(c, 'ground_truth', 'broken', f'{i:03d}_mask.png'))


def make_gain(root):
    for split, n in (('train', 4), ('test', 2)):
        for i in range(n):
            _img(osp.join(root, 'images', split, 'normal', f'n_{split}{i}.jpg'))
            _img(osp.join(root, 'images', split, 'defective', f'd_{split}{i}.jpg'))
            _mask(osp.join(root, 'masks', 'defective', f'd_{split}{i}.png'))


def test_kolektorsdd2_labels_from_mask(tmp_path):
    make_ksdd2(str(tmp_path))
    ds = DefectDataset(data_root=str(tmp_path), split='train')
    assert ds.layout == 'kolektorsdd2'
    assert len(ds) == 5
    labels = [ds.get_data_info(i)['gt_label'] for i in range(5)]
    assert labels == [1, 1, 0, 0, 0]
    info = ds.get_data_info(0)
    assert info['seg_map_path'].endswith('000_GT.png')
    assert (info['height'], info['width']) == (H, W)
    assert ds.metainfo['classes'] == ('normal', 'defect')


def test_mvtec_layout(tmp_path):
    make_mvtec(str(tmp_path))
    train = DefectDataset(data_root=str(tmp_path), split='train')
    assert train.layout == 'mvtec'
    assert len(train) == 3 and all(
        train.get_data_info(i)['gt_label'] == 0 for i in range(3))
    test = DefectDataset(data_root=str(tmp_path), split='test', category='bottle')
    infos = [test.get_data_info(i) for i in range(len(test))]
    assert sorted((i['defect_type'], i['gt_label']) for i in infos) == [
        ('broken', 1), ('broken', 1), ('good', 0), ('good', 0)]
    assert all(i['seg_map_path'] is None for i in infos if i['gt_label'] == 0)
    # data_root pointing at the category itself also works
    assert len(DefectDataset(data_root=str(tmp_path / 'bottle'), split='test')) == 4


def test_mvtec_resplit_is_stratified_and_disjoint(tmp_path):
    make_mvtec(str(tmp_path))
    parts = {s: DefectDataset(data_root=str(tmp_path), split=s,
                              resplit=dict(train=0.5, val=0.0, test=0.5, seed=1))
             for s in ('train', 'test')}
    paths = {s: {d.get_data_info(i)['img_path'] for i in range(len(d))}
             for s, d in parts.items()}
    assert not paths['train'] & paths['test']
    assert len(paths['train'] | paths['test']) == 7
    for d in parts.values():
        assert {d.get_data_info(i)['gt_label'] for i in range(len(d))} == {0, 1}


def test_gain_mtl_layout_and_val_carving(tmp_path):
    make_gain(str(tmp_path))
    test = DefectDataset(data_root=str(tmp_path), split='test')
    assert test.layout == 'gain_mtl'
    labels = sorted(test.get_data_info(i)['gt_label'] for i in range(len(test)))
    assert labels == [0, 0, 1, 1]
    kw = dict(data_root=str(tmp_path), val_ratio=0.5, val_seed=3)
    train, val = DefectDataset(split='train', **kw), DefectDataset(split='val', **kw)
    t = {train.get_data_info(i)['img_path'] for i in range(len(train))}
    v = {val.get_data_info(i)['img_path'] for i in range(len(val))}
    assert len(t) == 4 and len(v) == 4 and not t & v
    # stratified: 2 of 4 defective and 2 of 4 normal in val
    assert sorted(val.get_data_info(i)['gt_label'] for i in range(4)) == [0, 0, 1, 1]
    # deterministic for the seed
    again = DefectDataset(split='val', **kw)
    assert {again.get_data_info(i)['img_path'] for i in range(4)} == v


def test_stratified_partition_rejects_bad_fractions():
    with pytest.raises(ValueError, match='sum to 1'):
        stratified_partition([], dict(train=0.5, val=0.2), 0)


@pytest.mark.parametrize('case', [
    'unreadable', 'missing_mask', 'extra_mask', 'size', 'values', 'contradiction'])
def test_ksdd2_errors_name_the_file(tmp_path, case):
    root = str(tmp_path)
    make_ksdd2(root)
    split = osp.join(root, 'train')
    if case == 'unreadable':
        bad = osp.join(split, '002.png')
        with open(bad, 'wb') as f:
            f.write(b'not an image')
        match = 'unreadable image'
    elif case == 'missing_mask':
        bad = osp.join(split, '002.png')
        os.remove(osp.join(split, '002_GT.png'))
        match = 'missing mask'
    elif case == 'extra_mask':
        bad = osp.join(split, '009_GT.png')
        _mask(bad)
        match = 'extra mask'
    elif case == 'size':
        bad = osp.join(split, '001_GT.png')
        _mask(bad, h=H + 2)
        match = 'differs'
    elif case == 'values':
        bad = osp.join(split, '001_GT.png')
        _mask(bad, high=128)
        match = 'not binary'
    else:  # MVTec 'good' image with foreground in its mask
        make_mvtec(root + '_mv')
        bad = osp.join(root + '_mv', 'bottle', 'ground_truth', 'good', '000_mask.png')
        _mask(bad)
        with pytest.raises(DefectDataError, match='normal folder') as err:
            DefectDataset(data_root=root + '_mv', split='test')
        assert bad in str(err.value)
        return
    with pytest.raises(DefectDataError, match=match) as err:
        DefectDataset(data_root=root, split='train')
    assert bad in str(err.value)


def test_gain_mtl_errors(tmp_path):
    root = str(tmp_path)
    make_gain(root)
    # empty mask for a defective image: the folder and the mask disagree
    bad = osp.join(root, 'masks', 'defective', 'd_train0.png')
    _mask(bad, fg=False)
    with pytest.raises(DefectDataError, match='mask is empty') as err:
        DefectDataset(data_root=root, split='train')
    assert bad in str(err.value)
    _mask(bad)
    # a normal image that has a defect mask
    normal_mask = osp.join(root, 'masks', 'defective', 'n_train1.png')
    _mask(normal_mask)
    with pytest.raises(DefectDataError, match='normal image has a defect mask') as err:
        DefectDataset(data_root=root, split='train')
    assert 'n_train1.jpg' in str(err.value)
    os.remove(normal_mask)
    # a defective image without mask
    os.remove(osp.join(root, 'masks', 'defective', 'd_test1.png'))
    with pytest.raises(DefectDataError, match='no mask file') as err:
        DefectDataset(data_root=root, split='test')
    assert 'd_test1.jpg' in str(err.value)


def test_skip_option_counts_and_logs(tmp_path):
    root = str(tmp_path)
    make_ksdd2(root)
    split = osp.join(root, 'train')
    with open(osp.join(split, '003.png'), 'wb') as f:
        f.write(b'garbage')
    _mask(osp.join(split, '001_GT.png'), h=H + 2)
    _mask(osp.join(split, '042_GT.png'))  # extra mask
    ds = DefectDataset(data_root=root, split='train', on_bad_sample='skip')
    assert len(ds) == 3
    assert ds.num_skipped == 3
    assert any('003.png' in s for s in ds.skipped)
    assert any('042_GT.png' in s for s in ds.skipped)


def test_threshold_option_accepts_soft_masks(tmp_path):
    root = str(tmp_path)
    make_ksdd2(root, n_def=1, n_norm=1)
    _mask(osp.join(root, 'train', '000_GT.png'), high=128)
    ds = DefectDataset(data_root=root, split='train', mask_threshold=100)
    assert [ds.get_data_info(i)['gt_label'] for i in range(2)] == [1, 0]


def test_bad_arguments_and_unknown_layout(tmp_path):
    with pytest.raises(ValueError, match='cannot detect the layout'):
        DefectDataset(data_root=str(tmp_path), split='train')
    with pytest.raises(ValueError, match='on_bad_sample'):
        DefectDataset(data_root=str(tmp_path), on_bad_sample='ignore')
    with pytest.raises(ValueError, match='split'):
        DefectDataset(data_root=str(tmp_path), split='dev')


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _pipeline_sample(ds, i):
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope
    init_default_scope('mtl_plugin')
    pipe = Compose([dict(type='LoadImageFromFile'), dict(type='LoadDefectMask'),
                    dict(type='PackMultiTaskInputs')])
    return pipe(ds.get_data_info(i))['data_samples']


def test_unmasked_defects_allowed_where_the_folder_gives_the_label(tmp_path):
    root = str(tmp_path)
    make_gain(root)
    os.remove(osp.join(root, 'masks', 'defective', 'd_test1.png'))
    with pytest.raises(DefectDataError, match='allow_unmasked_defects'):
        DefectDataset(data_root=root, split='test')
    logger = MMLogger.get_current_instance()
    records = _Records()
    logger.addHandler(records)
    try:
        ds = DefectDataset(data_root=root, split='test', allow_unmasked_defects=True)
    finally:
        logger.removeHandler(records)
    assert ds.num_unmasked == 1
    assert any('1 of 2 defect images without mask' in m for m in records.messages)
    infos = {osp.basename(ds.get_data_info(i)['img_path']): ds.get_data_info(i)
             for i in range(len(ds))}
    assert infos['d_test1.jpg']['gt_label'] == 1
    assert infos['d_test1.jpg']['has_mask'] is False
    assert infos['d_test0.jpg']['has_mask'] and infos['n_test0.jpg']['has_mask']
    by_name = {osp.basename(ds.get_data_info(i)['img_path']): i for i in range(len(ds))}
    unmasked = _pipeline_sample(ds, by_name['d_test1.jpg'])
    assert unmasked.metainfo['has_mask'] is False and 'gt_sem_seg' not in unmasked
    assert int(unmasked.gt_label) == 1
    masked = _pipeline_sample(ds, by_name['d_test0.jpg'])
    assert masked.metainfo['has_mask'] is True and masked.gt_sem_seg.data.sum() > 0
    normal = _pipeline_sample(ds, by_name['n_test0.jpg'])
    assert normal.gt_sem_seg.data.sum() == 0


def test_unmasked_defects_refused_for_kolektorsdd2(tmp_path):
    make_ksdd2(str(tmp_path))
    with pytest.raises(ValueError, match='kolektorsdd2.*mask_fraction'):
        DefectDataset(data_root=str(tmp_path), split='train',
                      allow_unmasked_defects=True)


def test_mask_fraction_subsamples_masks_seeded(tmp_path):
    root = str(tmp_path)
    make_ksdd2(root, n_def=8, n_norm=4)

    def unmasked(**kw):
        ds = DefectDataset(data_root=root, split='train', **kw)
        infos = [ds.get_data_info(i) for i in range(len(ds))]
        assert all(i['has_mask'] for i in infos if i['gt_label'] == 0)
        assert all(i['seg_map_path'] is None for i in infos if not i['has_mask'])
        assert sum(i['gt_label'] for i in infos) == 8  # labels are kept
        return ds.num_unmasked, {i['img_path'] for i in infos if not i['has_mask']}

    assert unmasked()[0] == 0
    n, dropped = unmasked(mask_fraction=0.25, mask_seed=1)
    assert n == 6  # 2 of 8 keep their mask
    assert unmasked(mask_fraction=0.25, mask_seed=1)[1] == dropped
    assert any(unmasked(mask_fraction=0.25, mask_seed=s)[1] != dropped
               for s in range(2, 6))
    assert unmasked(mask_fraction=0.0)[0] == 8
    with pytest.raises(ValueError, match='mask_fraction'):
        DefectDataset(data_root=root, split='train', mask_fraction=1.5)
