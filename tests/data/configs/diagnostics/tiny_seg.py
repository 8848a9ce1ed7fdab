# Tiny 2-class mmseg segmentor (ResNetV1c-18 at 1/4 width, output stride 4) on
# a BaseSegDataset folder (img_dir/*.png + ann_dir/*.png, masks 0/1); the tests
# point data_root at generated data. The planted-fault configs beside it
# inherit this file and change one thing.
default_scope = 'mmseg'
custom_imports = dict(imports=['mtl_plugin', 'diagnostics_planted'],
                      allow_failed_imports=False)
data_root = 'data/tiny_seg/'
metainfo = dict(classes=('background', 'object'), palette=[[0, 0, 0], [255, 0, 0]])
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(type='SegDataPreProcessor',
                         mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
                         pad_val=0, seg_pad_val=255, size=(64, 64))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(type='ResNetV1c', depth=18, stem_channels=16, base_channels=16,
                  out_indices=(3, ), strides=(1, 1, 1, 1),
                  dilations=(1, 1, 2, 4), norm_cfg=norm_cfg, init_cfg=None),
    decode_head=dict(type='FCNHead', in_channels=128, in_index=0, channels=32,
                     num_convs=1, concat_input=False, num_classes=2,
                     norm_cfg=norm_cfg, align_corners=False,
                     loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=dict(), test_cfg=dict(mode='whole'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset = dict(type='BaseSegDataset', data_root=data_root, metainfo=metainfo,
               img_suffix='.png', seg_map_suffix='.png',
               data_prefix=dict(img_path='img_dir', seg_map_path='ann_dir'))
train_dataloader = dict(batch_size=4, num_workers=0,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(dataset, pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(dataset, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100, val_interval=50)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(timer=dict(type='IterTimerHook'),
                     logger=dict(type='LoggerHook', interval=10),
                     param_scheduler=dict(type='ParamSchedulerHook'),
                     checkpoint=dict(type='CheckpointHook', interval=100))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
log_level = 'WARNING'
