# AdamW, linear warm-up over 100 iterations, cosine decay over 30 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=0.01),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=30,
         eta_min=1e-6, convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# The lr is for 1 GPU x 16 images; `tools/train.py --auto-scale-lr` scales it
# linearly to the actual total batch.
auto_scale_lr = dict(enable=False, base_batch_size=16)
