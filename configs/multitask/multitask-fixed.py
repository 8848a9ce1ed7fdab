# Joint model: MobileNetV3-Small + FPN(128) feeding a transposed-conv
# segmentation decoder, mmdet's FCOS head and a global-pool classifier;
# fixed task weights. Every other config in this folder derives from this one.
_base_ = ['../_base_/default_runtime.py', './_base_/synthetic-multitask-scenes.py']

model = dict(
    type='MultiTaskDetSegmentor',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='mmpretrain.MobileNetV3',
        arch='small',
        # layers 1, 3, 8, 11: 16/24/48/96 channels at strides 4/8/16/32
        out_indices=(1, 3, 8, 11),
        # mmpretrain's default BN momentum 0.01 leaves the running statistics
        # far from the batch statistics after a few hundred iterations (eval
        # then predicted background everywhere); 0.1 is PyTorch's default.
        norm_cfg=dict(type='BN', eps=0.001, momentum=0.1),
        # Synthetic scenes train from scratch (no download); for real data use
        # init_cfg=dict(type='Pretrained', checkpoint=<mmpretrain mnv3-small>,
        # prefix='backbone').
        init_cfg=None),
    # P3-P6 (strides 8-64), as FCOS uses P3+: a stride-4 level would cost
    # more than the rest of the model together at these small images.
    neck=dict(
        type='FPN', in_channels=[16, 24, 48, 96], out_channels=128,
        start_level=1, add_extra_convs='on_output', num_outs=4),
    seg_head=dict(
        type='TransposedConvSegHead', num_classes=4, in_channels=128,
        channels=32, up_channels=(32, 16, 16), in_stride=8),
    det_head=dict(
        type='FCOSHead',
        num_classes=3,
        in_channels=128,
        feat_channels=64,
        stacked_convs=2,
        strides=[8, 16, 32, 64],
        regress_ranges=((-1, 16), (16, 32), (32, 64), (64, 1e8)),
        norm_cfg=dict(type='GN', num_groups=16, requires_grad=True),
        center_sampling=True,
        center_sample_radius=1.5,
        norm_on_bbox=True,
        centerness_on_reg=True,
        # Float32Loss: mmcv's CUDA sigmoid_focal_loss has no bfloat16
        # kernel; the focal loss runs in float32 under any autocast dtype.
        loss_cls=dict(type='Float32Loss', loss_type='FocalLoss',
                      use_sigmoid=True, gamma=2.0, alpha=0.25,
                      loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.0),
        test_cfg=dict(nms_pre=1000, min_bbox_size=0, score_thr=0.05,
                      nms=dict(type='nms', iou_threshold=0.5),
                      max_per_img=100)),
    cls_head=dict(type='GlobalPoolClsHead', num_classes=3, in_channels=128),
    balancer=dict(
        type='FixedWeightBalancer',
        weights=dict(seg=1.0, det=1.0, cls=1.0),
        # e.g. dict(det=dict(begin=100, ramp=200)) ramps a task in late
        task_warmup=dict()),
    # e.g. ('cls', ): stop-gradient between the cls head and shared features
    detach_tasks=())

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10, norm_type=2),
    # Per-task learning rates: scale a head's (or the balancer's) lr here.
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        custom_keys={
            'seg_head': dict(lr_mult=1.0),
            'det_head': dict(lr_mult=1.0),
            'cls_head': dict(lr_mult=1.0),
            'balancer': dict(lr_mult=1.0, decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=True, milestones=[9, 11], gamma=0.1),
]
# mmdet's hooks register on import; our child registries reach them only
# once their module is imported.
custom_imports = dict(imports=['mtl_plugin', 'mmdet.engine.hooks'],
                      allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(interval=4),
    # tools/test.py --show-dir turns draw on: GT | prediction panels with
    # boxes (score >= 0.3), the semantic mask and the image label.
    visualization=dict(type='DetVisualizationHook', draw=False,
                       score_thr=0.3))
visualizer = dict(type='MultiTaskLocalVisualizer')
auto_scale_lr = dict(enable=False, base_batch_size=16)
