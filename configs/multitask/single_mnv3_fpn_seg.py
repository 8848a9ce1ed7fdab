# Single-task baseline: segmentation only (same code, other heads off).
_base_ = './multitask_mnv3_fpn_fixed.py'
model = dict(det_head=None, cls_head=None)
val_evaluator = [{{_base_.seg_metric}}]
test_evaluator = val_evaluator
# Small enough for the permanent diagnostics suite: it must memorise 8
# synthetic images (tests/test_diagnostics/test_shipped_configs.py).
diagnostics = dict(small=True, max_iters=150, val_interval=25)
