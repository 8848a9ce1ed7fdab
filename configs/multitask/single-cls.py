# Single-task baseline: classification only (same code, other heads off).
_base_ = './multitask-fixed.py'
model = dict(seg_head=None, det_head=None)
val_evaluator = {{_base_.cls_metrics}}
test_evaluator = val_evaluator
