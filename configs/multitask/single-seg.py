# Single-task baseline: segmentation only (same code, other heads off).
_base_ = './multitask-fixed.py'
model = dict(det_head=None, cls_head=None)
val_evaluator = [{{_base_.seg_metric}}]
test_evaluator = val_evaluator
