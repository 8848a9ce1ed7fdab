# Planted fault: an extra training-time backbone pass on other images pollutes
# the BatchNorm running statistics (fits in train mode, not in eval mode).
_base_ = ['./tiny_seg.py']
model = dict(type='ExtraPassEncoderDecoder')
