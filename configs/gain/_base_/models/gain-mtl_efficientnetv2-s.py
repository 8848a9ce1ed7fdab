# GAIN-MTL on EfficientNetV2-S (ImageNet-21k pretrained, fine-tuned on 1k):
# what every strategy shares. Backbone levels (out_indices 2, 3, 5, 7) have
# strides 4, 8, 16, 32; the last one feeds the classifier / CAM unless a
# strategy adds a CAM neck. No channel count here or in the strategies:
# GAINMTL fills the heads' in_channels from the backbone it built.
# EfficientNetV2-M / L: arch='m' / 'l', out_indices=(2, 3, 5, 8) and their
# checkpoints (configs/gain/README.md "Offline weights").
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
    cls_head=dict(type='CAMClsHead', num_classes=2),
    map_upsampler=dict(type='BilinearMapUpsampler'),
    loss_weights=dict(cls=1.0),
    gt_fusion=False,
    # pred_label = defect iff P(defect) >= score_thr; choose it on validation
    # predictions with tools/analysis/defect_threshold.py.
    test_cfg=dict(with_maps=True, score_thr=0.5))
