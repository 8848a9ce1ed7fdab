# CPU demo: S6 with MobileNetV3-Small (random init, no download) on 128 px
# synthetic defects; trains in a few minutes on 2 CPU cores. Data:
#   python tools/data/generate_defects.py data/gain_demo \
#       --num-train 400 --num-test 200 --size 128 --seed 0
_base_ = ['./s6.py']

data_root = 'data/gain_demo'
img_scale = (128, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDefectMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDefectMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackMultiTaskInputs'),
]

# MobileNetV3-Small levels 1, 3, 8, 12: strides 4, 8, 16, 32 with 16, 24, 48,
# 576 channels (128 px input -> 4x4 CAM grid).
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.MobileNetV3',
        arch='small',
        out_indices=(1, 3, 8, 12)),
    cls_head=dict(in_channels=576),
    attention_head=dict(in_channels=576, mid_channels=64),
    loc_head=dict(neck=dict(in_channels=[16, 24, 48, 576], out_channels=32)))

train_dataloader = dict(
    batch_size=16,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))

max_epochs = 20
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=1))
