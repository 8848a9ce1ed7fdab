# CPU-sized variant for synthetic shelves (tools/data/generate_shelves.py):
# ResNet18 at half width (base_channels 32) from scratch, 32-channel FPN and
# head, 256 px images, a short schedule. Same anchors, assigner, losses and
# test settings as the R50 config; used for the CPU evidence run in
# configs/retail/README.md. P2's light tower keeps the 32 channels of the
# rest of the head (halving the R50 config's 256 is what saves compute
# there; at 32 a narrower tower would squeeze the 80 box outputs).
_base_ = './retinanet-dense_r50_fpn_1x_sku110k.py'

data_root = 'data/shelves/'
image_scale = (256, 256)

model = dict(
    backbone=dict(depth=18, base_channels=32, frozen_stages=-1,
                  norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=32),
    bbox_head=dict(in_channels=32, feat_channels=32, fine_feat_channels=32))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackMultiTaskInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'instances')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=1,
    dataset=dict(data_root=data_root, missing_images='error',
                 filter_cfg=dict(filter_empty_gt=True, min_size=0),
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, missing_images='error',
                 pipeline=test_pipeline))
test_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, missing_images='error',
                 ann_file='annotations/annotations_val.csv',
                 pipeline=test_pipeline))

train_cfg = dict(max_epochs=8, val_interval=8)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='MultiStepLR', begin=0, end=8, by_epoch=True, milestones=[7],
         gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=0.02))
default_hooks = dict(logger=dict(interval=10))
