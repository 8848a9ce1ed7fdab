"""MultiTaskDataset: loading, bad-input errors, box/mask alignment under
flip / resize / crop, packing into one data sample."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mtl_plugin  # noqa: F401
from mtl_plugin.datasets.synthetic.multitask_scenes import (
    IMAGE_CLASSES,
    KINDS,
    SEG_CLASSES,
    generate_multitask_dataset,
)
from mtl_plugin.registry import DATASETS

METAINFO = dict(classes=KINDS, seg_classes=SEG_CLASSES,
                image_classes=IMAGE_CLASSES)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('mt'))
    generate_multitask_dataset(root, num_train=6, num_val=2, size=64, seed=1)
    return root


def _dataset(root, ann='annotations/train.json', pipeline=(), **kw):
    init_default_scope('mtl_plugin')
    return DATASETS.build(dict(
        type='MultiTaskDataset', data_root=root, metainfo=METAINFO,
        ann_file=ann, data_prefix=dict(img='images/train/', seg='masks/train/'),
        filter_cfg=dict(filter_empty_gt=False), pipeline=list(pipeline), **kw))


def test_loads_boxes_mask_path_and_label(data_root):
    ds = _dataset(data_root)
    assert len(ds) == 6
    info = ds.get_data_info(0)
    assert info['seg_map_path'].endswith('masks/train/000000.png')
    assert 0 <= info['gt_label'] < 3 and info['instances']
    ann = json.load(open(osp.join(data_root, 'annotations/train.json')))
    assert IMAGE_CLASSES[info['gt_label']] == ann['images'][0]['image_label']


def _corrupt(root, tmp_path, edit):
    ann = json.load(open(osp.join(root, 'annotations/train.json')))
    edit(ann)
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(ann))
    return str(path)


def test_box_outside_image_names_the_file(data_root, tmp_path):
    def edit(a):
        a['annotations'][0]['bbox'] = [50, 50, 30, 30]
    bad = _corrupt(data_root, tmp_path, edit)
    with pytest.raises(ValueError, match=r"bad\.json.*000000\.png.*outside"):
        _dataset(data_root, ann=bad)


def test_label_not_in_classes_names_the_file(data_root, tmp_path):
    def edit(a):
        a['images'][1]['image_label'] = 'hexagon_dominant'
    bad = _corrupt(data_root, tmp_path, edit)
    with pytest.raises(ValueError, match=r"000001\.png.*hexagon_dominant"):
        _dataset(data_root, ann=bad)


def test_missing_file_and_size_mismatch(data_root, tmp_path):
    def missing(a):
        a['images'][0]['file_name'] = 'nope.png'
    with pytest.raises(FileNotFoundError, match='nope.png'):
        _dataset(data_root, ann=_corrupt(data_root, tmp_path, missing))
    # a mask of the wrong size
    root = tmp_path / 'copy'
    import shutil
    shutil.copytree(data_root, root)
    cv2.imwrite(str(root / 'masks/train/000002.png'),
                np.zeros((32, 64), np.uint8))
    with pytest.raises(ValueError, match=r'000002\.png.*64x32.*64x64'):
        _dataset(str(root))


def _check_alignment(results, strict_union):
    boxes = results['gt_bboxes'].numpy()
    labels = results['gt_bboxes_labels']
    seg = results['gt_seg_map']
    assert seg.shape == results['img'].shape[:2]
    for box, label in zip(boxes, labels):
        # Boxes are tight around an object's visible pixels: each of the four
        # box edges must touch pixels of the box's class (2 px tolerance for
        # resize rounding).
        x0, y0, x1, y1 = np.round(box).astype(int)
        own = seg == label + 1
        bands = [own[y0:y1, max(x0 - 2, 0):x0 + 2], own[y0:y1, max(x1 - 2, 0):x1 + 2],
                 own[max(y0 - 2, 0):y0 + 2, x0:x1], own[max(y1 - 2, 0):y1 + 2, x0:x1]]
        assert all(b.any() for b in bands), (box, label)
    if strict_union:
        for k in np.unique(labels):
            ys, xs = np.nonzero(seg == k + 1)
            kb = boxes[labels == k]
            union = [kb[:, 0].min(), kb[:, 1].min(), kb[:, 2].max(), kb[:, 3].max()]
            assert np.allclose([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1],
                               union, atol=2.0)


@pytest.mark.parametrize('aug', [
    [dict(type='RandomFlip', prob=1.0, direction='horizontal')],
    [dict(type='RandomFlip', prob=1.0, direction='vertical'),
     dict(type='Resize', scale=(96, 96), keep_ratio=True)],
])
def test_flip_and_resize_keep_boxes_and_masks_aligned(data_root, aug):
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True, with_seg=True)]
    ds = _dataset(data_root, pipeline=pipeline + aug)
    base = _dataset(data_root, pipeline=pipeline)
    for i in range(len(ds)):
        for d in (ds, base):
            r = d.pipeline(d.get_data_info(i))
            _check_alignment(dict(r, gt_bboxes=r['gt_bboxes'].tensor), True)


def test_crop_keeps_boxes_and_masks_aligned(data_root):
    """The crop window is found in the original image; the cropped mask must
    be the same window of the original mask, the boxes the clipped shifted
    original boxes."""
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True, with_seg=True)]
    crop = _dataset(data_root, pipeline=pipeline + [
        dict(type='RandomCrop', crop_size=(40, 40), allow_negative_crop=True)])
    base = _dataset(data_root, pipeline=pipeline)
    np.random.seed(0)
    for i in range(len(base)):
        orig = base.pipeline(base.get_data_info(i))
        out = crop.pipeline(crop.get_data_info(i))
        img = out['img']
        offsets = [(y, x) for y in range(64 - 40 + 1) for x in range(64 - 40 + 1)
                   if np.array_equal(orig['img'][y:y + 40, x:x + 40], img)]
        assert len(offsets) == 1
        oy, ox = offsets[0]
        assert np.array_equal(orig['gt_seg_map'][oy:oy + 40, ox:ox + 40],
                              out['gt_seg_map'])
        shifted = orig['gt_bboxes'].tensor.numpy() - [ox, oy, ox, oy]
        shifted = shifted.clip(0, 40)
        keep = (shifted[:, 2] > shifted[:, 0]) & (shifted[:, 3] > shifted[:, 1])
        assert np.allclose(out['gt_bboxes'].tensor.numpy(), shifted[keep])
        assert np.array_equal(out['gt_bboxes_labels'],
                              orig['gt_bboxes_labels'][keep])


def test_packs_one_sample_with_all_tasks(data_root):
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True, with_seg=True),
                dict(type='PackMultiTaskInputs')]
    packed = _dataset(data_root, pipeline=pipeline)[0]
    s = packed['data_samples']
    assert packed['inputs'].shape == (3, 64, 64)
    assert s.gt_sem_seg.data.shape == (1, 64, 64)
    assert s.gt_label.dtype == torch.long and s.gt_label.shape == (1, )
    assert len(s.gt_instances.bboxes) == len(s.gt_instances.labels) > 0
