# Single-task baseline: detection only (same code, other heads off).
_base_ = './multitask-fixed.py'
model = dict(seg_head=None, cls_head=None)
val_evaluator = [{{_base_.det_metric}}]
test_evaluator = val_evaluator
