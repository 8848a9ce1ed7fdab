import os.path as osp

import cv2
import numpy as np

from mtl_plugin.diagnostics import SyntheticTaskDataset, data_check

from diag_helpers import load_cfg, tiny_cfg, write_seg_folder

MMSEG = osp.join(osp.dirname(__import__('mmseg').__file__), '.mim', 'configs')
DRIVE = osp.join(MMSEG, 'unet', 'unet-s5-d16_deeplabv3_4xb4-40k_drive-64x64.py')


def test_clean_seg_data(tmp_path):
    root = str(tmp_path / 'seg')
    fg = write_seg_folder(root, num=6)
    report = data_check(tiny_cfg('tiny_seg.py', root), num_samples=6,
                        out_dir=str(tmp_path / 'out'))
    assert report.errors == [], report.format()
    # Pixel counts equal what was drawn; both classes in every image.
    assert report.data['seg_pixels'][1] == fg.sum()
    assert report.data['seg_pixels'][0] == 6 * 64 * 64 - fg.sum()
    assert report.data['seg_images'] == {0: 6, 1: 6}
    grid = cv2.imread(report.data['grid_path'])
    assert grid.shape == (2 * 128, 4 * 128, 3)


def test_zero_255_masks_caught_on_stock_mmseg_config(tmp_path):
    """DRIVE's raw vessel masks are 0/255; the mmseg config declares 0/1."""
    root = str(tmp_path / 'drive')
    write_seg_folder(root, num=4, fg_value=255, img_dir='images/training',
                     ann_dir='annotations/training', ann_suffix='_manual1.png')
    cfg = load_cfg(DRIVE, root)
    report = data_check(cfg, num_samples=4)
    errors = [f.message for f in report.errors if f.topic == 'mask values']
    assert errors and '0/255' in errors[0], report.format()
    # With 0/1 masks the same config is clean.
    write_seg_folder(root, num=4, fg_value=1, img_dir='images/training',
                     ann_dir='annotations/training', ann_suffix='_manual1.png')
    report = data_check(load_cfg(DRIVE, root), num_samples=4)
    assert report.errors == [], report.format()


def test_interpolated_labels_and_bad_boxes_caught():
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(osp.dirname(__file__), '..', 'data', 'configs',
                                   'diagnostics', 'tiny_seg.py'))
    dataset = SyntheticTaskDataset(cfg, num_samples=2, image_size=64)
    # A bilinear label resize invents labels between 0 and the class id.
    from mmcv.transforms import Resize
    dataset.pipeline.transforms.insert(0, Resize(scale=(37, 37),
                                                 interpolation='bilinear'))
    orig = dataset.get_data_info

    def with_bilinear_mask(i):
        info = orig(i)
        info['gt_seg_map'] = (info['gt_seg_map'] * 200).astype(np.uint8)
        return info
    dataset.get_data_info = with_bilinear_mask
    report = data_check(cfg, num_samples=2, dataset=dataset)
    assert 'label values' in report.topics('ERROR'), report.format()


def test_degenerate_boxes_caught_on_stock_retinanet():
    cfg = load_cfg(osp.join(osp.dirname(__import__('mmdet').__file__), '.mim',
                            'configs', 'retinanet', 'retinanet_r50_fpn_1x_coco.py'))
    dataset = SyntheticTaskDataset(cfg, num_samples=2, image_size=64)
    clean = data_check(cfg, num_samples=2, dataset=dataset)
    assert clean.errors == [], clean.format()
    assert sum(clean.data['box_counts'].values()) == 2
    orig = dataset.get_data_info

    def zero_width(i):
        info = orig(i)
        info['gt_bboxes'].tensor[:, 2] = info['gt_bboxes'].tensor[:, 0]
        return info
    dataset.get_data_info = zero_width
    report = data_check(cfg, num_samples=2, dataset=dataset)
    assert 'degenerate boxes' in report.topics('ERROR'), report.format()
