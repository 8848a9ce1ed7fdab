# The 3-task 32x32 study: A shape (10 classes), B orientation (32 bins),
# C intensity (regression) from Conv32-Pool-Conv64-Pool-Conv128.
# Heads pool to a 4x4 grid (keeps where the shape's parts are, i.e. its
# orientation); study-3task-gap_tinycnn_20e_orientation-study.py is the global-pool variant.
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/orientation_study/'
model = dict(
    type='MultiTaskStudyNet',
    data_preprocessor=dict(type='ImgDataPreprocessor', mean=[127.5] * 3,
                           std=[127.5] * 3),
    backbone=dict(type='TinyConvNet', channels=(32, 64, 128)),
    heads=dict(
        shape=dict(type='PooledTaskHead', num_outputs=10, kind='cls',
                   pool_size=4),
        orientation=dict(type='PooledTaskHead', num_outputs=32, kind='cls',
                         pool_size=4),
        intensity=dict(type='PooledTaskHead', num_outputs=1, kind='reg',
                       pool_size=1, hidden=64)),
    balancer=dict(type='FixedWeightBalancer',
                  weights=dict(shape=1.0, orientation=1.0, intensity=1.0)))

# No flips or rotations: they would change the orientation label.
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackMultiTaskInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape'),
         label_keys=('gt_shape', 'gt_orientation'),
         float_keys=('gt_intensity', )),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='OrientationStudyDataset', data_root=data_root,
                 ann_file='annotations/train.json',
                 data_prefix=dict(img_path='images/'), pipeline=pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='OrientationStudyDataset', data_root=data_root,
                 ann_file='annotations/val.json',
                 data_prefix=dict(img_path='images/'), test_mode=True,
                 pipeline=pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='MultiTaskStudyMetric',
    cls_tasks=dict(shape=10, orientation=32),
    reg_tasks=['intensity'],
    conditional=('shape', 'orientation'),
    prefix='study')
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3),
                     clip_grad=dict(max_norm=10))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=20, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=5),
                     logger=dict(interval=20))
