# The demo's data: synthetic defects of 128 px in data/gain_demo, written by
#   python tools/data/generate_defects.py data/gain_demo \
#       --num-train 400 --num-test 200 --size 128 --seed 0
# (train carries the shortcut cue, test is cue-free; val is 10 % of train).
_base_ = ['./synthetic-defects.py']

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
train_dataloader = dict(
    batch_size=16,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
