# Dense retail detector (configs/retail/README.md), written out from mmdet's
# _base_/models/retinanet_r50_fpn.py rather than inherited with 'mmdet::':
# mmengine tags every dict of an 'mmdet::' base with _scope_='mmdet', and
# our LightFineLevelRetinaHead / DenseAnchorGenerator / CenterSamplingIoUAssigner
# live in the 'mtl_plugin' scope, which mmdet's registries do not search.
#
# Spec -> config:
# - ResNet50 + FPN 256 ch; five anchor base sizes (32..512) need five levels,
#   so the FPN emits P2..P6 (strides 4..64; P6 is an extra stride-2 conv on
#   P5's output). See
#   mtl_plugin/models/task_modules/prior_generators/dense_anchor_generator.py.
# - head shared over levels: 4 x (conv3x3 + BN + ReLU) per branch on P3..P6
#   (RetinaHead with a norm_cfg); on P2 one lighter tower for both branches
#   (P2 has 4x the positions of P3); one foreground class scored by sigmoid
#   BCE on logit / T.
# - Smooth L1 on box deltas; deltas are clipped when decoded (centre shift
#   <= ctr_clamp px, log w/h ratio <= log(1000/16)) and boxes clipped to the
#   image.
# - IoU 0.3 + centre sampling, memory-bounded (CenterSamplingIoUAssigner).
# - NMS 0.5, score threshold 0.2, at most 300 detections per image.
model = dict(
    type='RetinaNet',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        # P6 has stride 64: pad so every level's grid divides the input.
        pad_size_divisor=64),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        type='FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=0,
        add_extra_convs='on_output',
        num_outs=5),
    bbox_head=dict(
        type='LightFineLevelRetinaHead',
        num_classes=1,
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        # P2 (stride 4, 4x the positions of P3): one tower of 2 conv3x3 at
        # 128 ch shared by both branches instead of 2 x 4 at 256 ch.
        fine_levels=1,
        fine_stacked_convs=2,
        fine_feat_channels=128,
        norm_cfg=dict(type='BN', requires_grad=True),
        cls_temperature=1.0,
        anchor_generator=dict(
            type='DenseAnchorGenerator',
            strides=[4, 8, 16, 32, 64],
            base_sizes=[32, 64, 128, 256, 512],
            ratios=[0.3, 0.5, 1.0, 2.0, 3.0],
            scales=[0.5, 0.75, 1.0, 1.25]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[0.1, 0.1, 0.2, 0.2],
            clip_border=True,
            add_ctr_clamp=True,
            ctr_clamp=32),
        loss_cls=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(
            type='CenterSamplingIoUAssigner',
            pos_iou_thr=0.3,
            neg_iou_thr=0.2,
            center_radius=0.5,
            memory_budget_mb=256),
        sampler=dict(type='PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=2000,
        min_bbox_size=0,
        score_thr=0.2,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=300))
