import copy
import os.path as osp

import pytest

from mtl_plugin.diagnostics import audit

from diag_helpers import load_cfg, tiny_cfg

MIM = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')
MMSEG = osp.join(osp.dirname(__import__('mmseg').__file__), '.mim', 'configs')
STOCK = [
    osp.join(MIM, 'retinanet', 'retinanet_r50_fpn_1x_coco.py'),
    osp.join(MMSEG, 'unet', 'unet-s5-d16_deeplabv3_4xb4-40k_drive-64x64.py'),
    osp.join(MMSEG, 'fcn', 'fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py'),
]


@pytest.mark.parametrize('path', STOCK, ids=osp.basename)
def test_stock_configs_pass(path):
    report = audit(load_cfg(path))
    assert report.errors == [], report.format()


def test_tiny_seg_passes():
    report = audit(tiny_cfg('tiny_seg.py'))
    assert report.errors == [] and report.warnings == [], report.format()


def test_bgr_rgb_mismatch_caught():
    report = audit(tiny_cfg('seg_bgr_mismatch.py'))
    msgs = [f.message for f in report.errors if f.topic == 'channel order']
    # Once from the mean order, once from the pretrained checkpoint.
    assert len(msgs) == 2, report.format()
    assert any('bgr_to_rgb=False' in m for m in msgs)
    assert any('open-mmlab://resnet18_v1c' in m for m in msgs)


def test_caffe_checkpoint_expects_bgr():
    cfg = load_cfg(osp.join(MIM, 'retinanet', 'retinanet_r50-caffe_fpn_1x_coco.py'))
    assert audit(cfg).errors == []
    cfg.model.data_preprocessor.bgr_to_rgb = True
    cfg.model.data_preprocessor.mean = [123.675, 116.28, 103.53]
    report = audit(cfg)
    assert any('caffe' in f.message and 'expects BGR' in f.message
               for f in report.errors), report.format()


def test_num_classes_mismatch_caught():
    report = audit(tiny_cfg('seg_num_classes_mismatch.py'))
    errs = [f for f in report.errors if f.topic == 'num_classes']
    assert len(errs) == 1
    assert 'model.decode_head.num_classes=3' in errs[0].message


def test_class_order_and_ignore_index_caught():
    cfg = tiny_cfg('tiny_seg.py')
    cfg.val_dataloader.dataset.metainfo = dict(classes=('object', 'background'))
    cfg.val_evaluator.ignore_index = 0
    report = audit(cfg)
    assert 'class order' in report.topics('ERROR')
    ignore = [f for f in report.errors if f.topic == 'ignore_index']
    assert len(ignore) == 1 and 'val_evaluator.ignore_index=0' in ignore[0].message


def test_pipeline_and_optimizer_sanity():
    cfg = tiny_cfg('tiny_seg.py')
    cfg.test_dataloader = copy.deepcopy(cfg.test_dataloader)
    cfg.test_dataloader.dataset.pipeline[1] = dict(type='Resize', scale=(32, 32),
                                                   keep_ratio=False)
    cfg.test_dataloader.dataset.pipeline.insert(
        2, dict(type='RandomFlip', prob=0.5))
    cfg.optim_wrapper.optimizer.lr = -1
    cfg.model.data_preprocessor.mean = [0.485, 0.456, 0.406]
    cfg.model.data_preprocessor.std = [0.229, 0.224, 0.225]
    cfg.auto_scale_lr = dict(enable=False, base_batch_size=6)
    report = audit(cfg)
    warnings = ' | '.join(f.message for f in report.warnings)
    assert 'scale=(64, 64) but test Resize scale=(32, 32)' in warnings
    assert 'keep_ratio differs' in warnings
    assert 'random augmentation RandomFlip' in warnings
    assert 'base_batch_size=6 is not a multiple' in warnings
    assert 'lr' in report.topics('ERROR')
    assert 'normalization scale' in report.topics('WARNING')
