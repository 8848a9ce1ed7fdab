"""judge_overfit on hand-made curves: one test per verdict."""
from mtl_plugin.diagnostics.overfit_verdict import OverfitCurve, judge_overfit


def _curve(ious, losses, target=0.9):
    """A segmentation curve: eval mIoU (percent, as mmseg reports it) at
    iterations 25, 50, ... and the training losses at the same iterations."""
    curve = OverfitCurve(tasks=['seg'], targets=dict(seg=target))
    for i, (iou, loss) in enumerate(zip(ious, losses)):
        it = 25 * (i + 1)
        curve.losses.append((it, loss))
        curve.add_eval(it, {'seg/mIoU': iou, 'seg/aAcc': 99.0})
    return curve


def _only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def test_pass():
    curve = _curve([40.0, 95.0], [1.0, 0.1])
    assert curve.passed
    f = _only(judge_overfit(curve, max_iters=300, num_samples=8))
    assert (f.severity, f.topic) == ('INFO', 'overfit')
    assert 'PASS at iter 50' in f.message


def test_fail_but_learning():
    # Loss halved and mIoU went half-way to the target: needs more iterations.
    curve = _curve([10.0, 50.0, 60.0], [1.0, 0.6, 0.4])
    f = _only(judge_overfit(curve, max_iters=75, num_samples=8,
                            train_mode={'seg/mIoU': 61.0}))
    assert f.severity == 'ERROR'
    assert 'but the model learns' in f.message and 'raise --max-iters' in f.message
    assert "{'seg': (0.1, 0.6)}" in f.message


def test_fail_flat():
    curve = _curve([10.0, 11.0, 10.5], [1.0, 0.95, 0.97])
    f = _only(judge_overfit(curve, max_iters=75, num_samples=8,
                            train_mode={'seg/mIoU': 10.0}))
    assert f.severity == 'ERROR' and 'wiring is broken' in f.message


def test_loss_falls_but_metric_stays_low_is_flat():
    curve = _curve([10.0, 20.0, 30.0], [1.0, 0.4, 0.2])
    f = _only(judge_overfit(curve, max_iters=75, num_samples=8))
    assert 'wiring is broken' in f.message


def test_fits_in_train_mode_only_running_statistics():
    curve = _curve([10.0, 12.0], [1.0, 0.1])
    f = _only(judge_overfit(curve, max_iters=50, num_samples=8,
                            train_mode={'seg/mIoU': 97.0}, bn_momentum=0.1))
    assert (f.severity, f.topic) == ('ERROR', 'train vs eval mode')
    assert 'running statistics' in f.message


def test_fits_in_train_mode_only_slow_momentum_asks_for_a_longer_run():
    curve = _curve([10.0, 12.0], [1.0, 0.1])
    # Momentum 0.01 needs ~300 iterations; 50 ran.
    f = _only(judge_overfit(curve, max_iters=50, num_samples=8,
                            train_mode={'seg/mIoU': 97.0}, bn_momentum=0.01))
    assert (f.severity, f.topic) == ('WARNING', 'train vs eval mode')
    assert '--max-iters 500' in f.message


def test_train_mode_much_better_is_warned_beside_the_fail():
    curve = _curve([10.0, 11.0], [1.0, 0.9])
    findings = judge_overfit(curve, max_iters=50, num_samples=8,
                             train_mode={'seg/mIoU': 80.0})
    assert [(f.severity, f.topic) for f in findings] == [
        ('WARNING', 'train vs eval mode'), ('ERROR', 'overfit')]


def test_missing_metric_is_an_error():
    curve = OverfitCurve(tasks=['seg', 'cls'], targets=dict(seg=0.9, cls=1.0))
    curve.add_eval(25, {'seg/mIoU': 95.0})
    findings = judge_overfit(curve, max_iters=25, num_samples=8)
    assert not curve.passed
    assert "no metric found for task(s) ['cls']" in findings[0].message
