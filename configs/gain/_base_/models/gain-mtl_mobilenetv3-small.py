# GAIN-MTL on MobileNetV3-Small, randomly initialised (no download): the CPU
# model of the demo. Backbone levels 1, 3, 8, 12 have strides 4, 8, 16, 32
# (a 128 px input gives a 4x4 grid at stride 32). GAINMTL fills the heads'
# in_channels from this backbone.
model = dict(
    type='GAINMTL',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='mmpretrain.MobileNetV3', arch='small', out_indices=(1, 3, 8, 12)),
    cls_head=dict(type='CAMClsHead', num_classes=2),
    map_upsampler=dict(type='BilinearMapUpsampler'),
    loss_weights=dict(cls=1.0),
    gt_fusion=False,
    test_cfg=dict(with_maps=True, score_thr=0.5))
