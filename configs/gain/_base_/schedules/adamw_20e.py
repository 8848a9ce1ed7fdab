# AdamW for a randomly initialised backbone (the demo's MobileNetV3-Small on
# CPU): lr 2e-3, linear warm-up over 50 iterations, cosine decay to 1e-5 over
# 20 epochs, validation every 5.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=20,
         eta_min=1e-5, convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# The lr is for 1 GPU (or CPU process) x 16 images; `tools/train.py
# --auto-scale-lr` scales it linearly to the actual total batch.
auto_scale_lr = dict(enable=False, base_batch_size=16)
