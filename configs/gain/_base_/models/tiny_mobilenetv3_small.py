# MobileNetV3-Small GAIN-MTL parts for CPU runs (random init: no download):
# backbone levels 1, 3, 8, 12 = strides 4, 8, 16, 32 with 16, 24, 48, 576
# channels (a 128 px input gives a 4x4 grid at stride 32), the channels of the
# parts that read those levels, and the learning rate / warm-up (iterations)
# it trains with.
#
# One variable, `tiny`, not `model` / `optim_wrapper`: the strategy config that
# a derived config also inherits already defines those, and mmengine allows a
# key in one base only. A derived config lists this file beside its strategy
# and merges the parts its model has (configs/gain/demo.py):
#     _base_ = ['./s6.py', './_base_/models/tiny_mobilenetv3_small.py']
# benchmarks/gain_strategies.py --backbone tiny applies it to any strategy
# config by the same rule.
tiny = dict(
    backbone=dict(
        type='mmpretrain.MobileNetV3', arch='small', out_indices=(1, 3, 8, 12)),
    # CAM and attention on the last backbone level (stride 32).
    parts=dict(
        cls_head=dict(in_channels=576),
        attention_head=dict(in_channels=576, mid_channels=64),
        loc_head=dict(neck=dict(in_channels=[16, 24, 48, 576], out_channels=32))),
    # CAM and attention on a level of `cam_neck` (a finer grid): the neck reads
    # the backbone, the classifier and attention heads read the neck and keep
    # its channels.
    parts_cam_neck=dict(
        cam_neck=dict(in_channels=[16, 24, 48, 576]),
        loc_head=dict(neck=dict(in_channels=[16, 24, 48, 576], out_channels=32))),
    lr=2e-3,
    warmup_iters=50)
