# Planted fault: the head predicts 3 classes, the dataset declares 2.
_base_ = ['./tiny_seg.py']
model = dict(decode_head=dict(num_classes=3))
