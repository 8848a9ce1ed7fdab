from mtl_plugin.diagnostics import SyntheticTaskDataset, overfit
from mtl_plugin.diagnostics.overfit_verdict import task_metric

from diag_helpers import tiny_cfg


def test_task_metric_keys_and_percent():
    assert task_metric({'seg/mIoU': 93.5}, 'seg') == ('seg/mIoU', 0.935)
    assert task_metric({'coco/bbox_mAP': 0.91, 'coco/bbox_mAP_50': 1.0},
                       'det') == ('coco/bbox_mAP', 0.91)
    assert task_metric({'accuracy/top1': 100.0}, 'cls') == ('accuracy/top1', 1.0)
    assert task_metric({'x': 1.0}, 'cls') is None


def test_tiny_seg_overfits_on_real_files(tiny_seg_root):
    cfg = tiny_cfg('tiny_seg.py', tiny_seg_root)
    report = overfit(cfg, num_samples=8, max_iters=150, val_interval=25, lr=5e-3)
    assert report.data['passed'], report.format()
    assert report.exit_code == 0
    losses = [loss for _, loss in report.data['losses']]
    assert losses[-1] < losses[0]
    assert 'PASS' in report.format()


def test_broken_training_fails():
    """lr=0: the loop runs but cannot learn -> FAIL (exit code 1)."""
    cfg = tiny_cfg('tiny_seg.py')
    report = overfit(cfg, max_iters=10, val_interval=5, lr=0.0,
                     dataset=SyntheticTaskDataset(cfg, 8, 64))
    assert not report.data['passed']
    assert report.exit_code == 1 and 'FAIL' in report.format()


def test_polluted_batchnorm_statistics_caught():
    """Fits with batch statistics, fails with running statistics."""
    cfg = tiny_cfg('seg_extra_pass_bn.py')
    report = overfit(cfg, max_iters=50, val_interval=25, lr=5e-3,
                     dataset=SyntheticTaskDataset(cfg, 8, 64))
    assert not report.data['passed']
    assert 'train vs eval mode' in report.topics('ERROR'), report.format()


def test_learning_but_short_budget_is_not_called_broken(tiny_seg_root):
    """An unreachable target with a rising curve: FAIL, but the message says
    the model learns and asks for more iterations, not broken wiring."""
    cfg = tiny_cfg('tiny_seg.py', tiny_seg_root)
    report = overfit(cfg, num_samples=8, max_iters=100, val_interval=25,
                     lr=5e-3, targets=dict(seg=0.9999))
    text = report.format()
    assert not report.data['passed'] and report.exit_code == 1
    assert 'the model learns' in text and 'raise --max-iters' in text, text
    assert 'wiring is broken' not in text


def test_flat_curve_is_still_called_broken():
    cfg = tiny_cfg('tiny_seg.py')
    report = overfit(cfg, max_iters=10, val_interval=5, lr=0.0,
                     dataset=SyntheticTaskDataset(cfg, 8, 64))
    assert 'wiring is broken' in report.format()
