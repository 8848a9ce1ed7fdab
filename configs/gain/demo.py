# CPU demo, the guided model: the best GAIN-MTL strategy measured,
# s6_fine_cam_sufficiency_deconv (S6 + CAM and attention on a stride-8 FPN
# level + context erasure + defect transplant + a learned upsampler of those
# maps), with MobileNetV3-Small (random init, no download) on 128 px
# synthetic defects, on 2 CPU cores. Its twin configs/gain/demo_s1.py is the
# same recipe on S1 (classification only); tools/run_demo.sh trains both and
# prints them side by side. Data:
#   python tools/data/generate_defects.py data/gain_demo \
#       --num-train 400 --num-test 200 --size 128 --seed 0
# The strategy is the first base: switching it is this one line.
_base_ = ['./s6_fine_cam_sufficiency_deconv.py', './_base_/models/tiny_mobilenetv3_small.py']

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

# The tiny parts for the layout of the strategy's model, only those it has.
model = dict(
    backbone=dict(_delete_=True, **_base_.tiny.backbone),
    **{part: channels for part, channels in (
        _base_.tiny.parts_cam_neck if _base_.model.get('cam_neck')
        else _base_.tiny.parts).items() if _base_.model.get(part)})

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
optim_wrapper = dict(optimizer=dict(lr=_base_.tiny.lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=_base_.tiny.warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=1))
