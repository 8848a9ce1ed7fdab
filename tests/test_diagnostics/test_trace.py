import os.path as osp

from mtl_plugin.diagnostics import SyntheticTaskDataset, trace

from diag_helpers import load_cfg, tiny_cfg

MIM = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')


def test_tiny_seg_trace_clean(tiny_seg_root):
    report = trace(tiny_cfg('tiny_seg.py', tiny_seg_root))
    assert report.errors == [], report.format()
    text = report.format()
    # Every transform, the model input and the head output are shown.
    for step in ('LoadImageFromFile:', 'Resize:', 'LoadAnnotations:',
                 'PackSegInputs:', 'per-channel mean', 'decode_head[]'):
        assert step in text
    out = report.data['outputs']['decode_head']
    assert tuple(out.shape) == (1, 2, 16, 16)


def test_constant_head_caught():
    cfg = tiny_cfg('seg_constant_head.py')
    report = trace(cfg, dataset=SyntheticTaskDataset(cfg, 2, 64))
    topics = report.topics('ERROR')
    assert 'input dependence' in topics and 'constant output' in topics, \
        report.format()
    assert any('decode_head' in f.message for f in report.errors)


def test_batch_statistics_head_caught():
    cfg = tiny_cfg('seg_batch_stats_head.py')
    report = trace(cfg, dataset=SyntheticTaskDataset(cfg, 2, 64))
    assert report.topics('ERROR') == ['batch dependence'], report.format()


def test_stock_retinanet_trace_clean():
    cfg = load_cfg(osp.join(MIM, 'retinanet', 'retinanet_r50_fpn_1x_coco.py'))
    cfg.model.backbone.init_cfg = None
    report = trace(cfg, dataset=SyntheticTaskDataset(cfg, 2, 64))
    assert report.errors == [], report.format()
    assert 'bbox_head' in report.data['outputs']


def test_checkpoint_that_does_not_fit_is_an_error(tmp_path):
    import torch
    from mmengine.runner import save_checkpoint
    cfg = tiny_cfg('tiny_seg.py')
    path = str(tmp_path / 'other.pth')
    save_checkpoint({'state_dict': {'head.weight': torch.zeros(2)}}, path)
    cfg.load_from = path
    report = trace(cfg, dataset=SyntheticTaskDataset(cfg, 2, 64))
    assert report.topics('ERROR') == ['weights'], report.format()
    assert 'weights missing from the checkpoint' in report.errors[0].message
