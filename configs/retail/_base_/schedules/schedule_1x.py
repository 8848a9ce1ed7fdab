# 12 epochs, SGD, steps at 8 and 11 (mmdet's RetinaNet 1x schedule).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True,
         milestones=[8, 11], gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))
# lr 0.01 is for 16 images per iteration (8 GPUs x 2); `tools/train.py
# --auto-scale-lr` scales it linearly to the actual total batch.
auto_scale_lr = dict(enable=False, base_batch_size=16)
