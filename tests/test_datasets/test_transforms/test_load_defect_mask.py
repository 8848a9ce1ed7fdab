import cv2
import numpy as np
import pytest

from mtl_plugin.datasets.defect_mask_io import DefectDataError
from mtl_plugin.datasets.transforms import LoadDefectMask, PackMultiTaskInputs
from mtl_plugin.registry import TRANSFORMS


def _write(path, h, w, fg=True, high=255):
    m = np.zeros((h, w), np.uint8)
    if fg:
        m[2:5, 3:9] = high
    cv2.imwrite(str(path), m)
    return str(path)


def test_loads_binary_mask_and_packs_after_resize(tmp_path):
    path = _write(tmp_path / 'a_GT.png', 16, 20)
    results = dict(img=np.zeros((16, 20, 3), np.uint8), img_path='a.png',
                   seg_map_path=path, gt_label=1, img_shape=(16, 20), ori_shape=(16, 20))
    out = LoadDefectMask()(results)
    mask = out['gt_seg_map']
    assert mask.dtype == np.uint8 and set(np.unique(mask)) == {0, 1}
    assert mask.sum() == 3 * 6
    # the interface pipeline: mmdet Resize (nearest for the mask) then pack
    out = TRANSFORMS.build(dict(type='Resize', scale=(40, 32), keep_ratio=False))(out)
    packed = PackMultiTaskInputs()(out)
    sample = packed['data_samples']
    assert sample.gt_sem_seg.data.shape == (1, 32, 40)
    assert sample.gt_sem_seg.data.dtype.is_floating_point is False
    assert set(sample.gt_sem_seg.data.unique().tolist()) == {0, 1}
    assert sample.gt_sem_seg.data.sum() == 3 * 6 * 4
    assert sample.gt_label.tolist() == [1]


def test_normal_image_without_mask_gets_zeros():
    out = LoadDefectMask()(dict(img=np.zeros((8, 9, 3), np.uint8), seg_map_path=None,
                                gt_label=0))
    assert out['gt_seg_map'].shape == (8, 9) and not out['gt_seg_map'].any()


def test_errors_name_the_file(tmp_path):
    img = np.zeros((16, 20, 3), np.uint8)
    path = _write(tmp_path / 'b_GT.png', 17, 20)
    with pytest.raises(DefectDataError, match='differs') as err:
        LoadDefectMask()(dict(img=img, img_path='b.png', seg_map_path=path, gt_label=1))
    assert path in str(err.value)
    path = _write(tmp_path / 'c_GT.png', 16, 20, high=77)
    with pytest.raises(DefectDataError, match='not binary') as err:
        LoadDefectMask()(dict(img=img, seg_map_path=path, gt_label=1))
    assert path in str(err.value)
    # with a threshold the same mask is accepted
    out = LoadDefectMask(mask_threshold=50)(dict(img=img, seg_map_path=path, gt_label=1))
    assert out['gt_seg_map'].sum() == 18
    path = _write(tmp_path / 'd_GT.png', 16, 20, fg=False)
    with pytest.raises(DefectDataError, match='gt_label is 1') as err:
        LoadDefectMask()(dict(img=img, seg_map_path=path, gt_label=1))
    assert path in str(err.value)
    with pytest.raises(DefectDataError, match='no seg_map_path') as err:
        LoadDefectMask()(dict(img=img, img_path='e.png', seg_map_path=None, gt_label=1))
    assert 'e.png' in str(err.value)
