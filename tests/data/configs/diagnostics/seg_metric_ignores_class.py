# Planted fault: an IoU metric that leaves the last class out of the mean.
_base_ = ['./tiny_seg.py']
val_evaluator = dict(type='IoUMetricDroppingLastClass', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
