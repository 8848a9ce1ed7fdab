# GAIN-MTL base model (S1: classification only) on EfficientNetV2-S.
# Backbone levels (out_indices 2, 3, 5, 7): strides 4, 8, 16, 32 with
# 48, 64, 160, 1280 channels; the last one feeds the classifier / CAM and the
# attention head, all four the localization FPN (S4+).
# EfficientNetV2-M: arch='m', out_indices=(2, 3, 5, 8), in_channels
# [48, 80, 176, 1280] and the m checkpoint; L: arch='l', out_indices=(2, 3, 5, 8),
# [64, 96, 224, 1280] (see configs/gain/README.md).
model = dict(
    type='GAINMTL',
    # mmengine's ImgDataPreprocessor: mean/std of ImageNet, BGR -> RGB (the
    # pretrained backbone's convention); masks pass through untouched.
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='mmpretrain.EfficientNetV2',
        arch='s',
        out_indices=(2, 3, 5, 7),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'efficientnetv2/efficientnetv2-s_in21k-pre-3rdparty_in1k_'
            '20221220-7a7c8475.pth',
            prefix='backbone')),
    cls_head=dict(type='CAMClsHead', in_channels=1280, num_classes=2),
    map_upsampler=dict(type='BilinearMapUpsampler'),
    loss_weights=dict(cls=1.0),
    gt_fusion=False,
    # pred_label = defect iff P(defect) >= score_thr; choose it on validation
    # predictions with tools/analysis/defect_threshold.py.
    test_cfg=dict(with_maps=True, score_thr=0.5))
