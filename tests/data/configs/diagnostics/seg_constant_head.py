# Planted fault: a decode head whose logits are a learned constant.
_base_ = ['./tiny_seg.py']
model = dict(decode_head=dict(type='ConstantDecodeHead'))
