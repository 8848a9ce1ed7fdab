"""The layout scanners list files and folder labels, in file order, without
reading pixels (DefectDataset checks them; see test_defect_dataset.py)."""
import os
import os.path as osp

import pytest

from mtl_plugin.datasets.defect_layouts import (
    Candidate,
    GainMTLLayout,
    KolektorSDD2Layout,
    MVTecLayout,
    build_layout,
    detect_layout,
)
from mtl_plugin.datasets.defect_mask_io import DefectDataError


def _touch(path):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'not an image')  # scanners must not open it


def test_kolektorsdd2_entries_in_file_order(tmp_path):
    root = str(tmp_path)
    for name in ('000.png', '000_GT.png', '001.png', '002.png', '002_GT.png',
                 '009_GT.png'):
        _touch(osp.join(root, 'train', name))
    entries = list(KolektorSDD2Layout.scan(root, 'train'))
    folder = osp.join(root, 'train')
    assert entries[0] == Candidate(osp.join(folder, '000.png'),
                                   osp.join(folder, '000_GT.png'), None, 'defect')
    assert isinstance(entries[1], DefectDataError) and 'missing mask' in str(entries[1])
    assert entries[2].img_path.endswith('002.png')
    assert isinstance(entries[3], DefectDataError) and '009_GT.png' in str(entries[3])
    assert len(entries) == 4
    assert KolektorSDD2Layout.splits_on_disk(root) == ['train']


def test_gain_mtl_folder_labels_and_shared_masks(tmp_path):
    root = str(tmp_path)
    _touch(osp.join(root, 'images', 'train', 'normal', 'n0.jpg'))
    _touch(osp.join(root, 'images', 'train', 'defective', 'd0.jpg'))
    _touch(osp.join(root, 'images', 'test', 'defective', 'd1.jpg'))
    for name in ('d0_mask.png', 'd1.png', 'orphan.png'):
        _touch(osp.join(root, 'masks', 'defective', name))
    entries = list(GainMTLLayout.scan(root, 'train'))
    assert [(e.folder_label, e.mask_path is None) for e in entries[:2]] == [
        (0, True), (1, False)]
    # d1's mask belongs to the test split; only the orphan is extra
    assert len(entries) == 3 and 'orphan.png' in str(entries[2])


def test_mvtec_categories_and_detection_order(tmp_path):
    root = str(tmp_path)
    for cat in ('bottle', 'cable'):
        _touch(osp.join(root, cat, 'train', 'good', '000.png'))
    assert MVTecLayout.categories_in(root) == ['bottle', 'cable']
    assert detect_layout(root) == 'mvtec'
    only = list(build_layout('mvtec', ['cable']).scan(root, 'train'))
    assert [e.img_path for e in only] == [
        osp.join(root, 'cable', 'train', 'good', '000.png')]
    with pytest.raises(FileNotFoundError, match='no val split'):
        list(build_layout('mvtec').scan(root, 'val'))
    # images/ + masks/ wins over the other layouts
    os.makedirs(osp.join(root, 'images'))
    os.makedirs(osp.join(root, 'masks'))
    assert detect_layout(root) == 'gain_mtl'
