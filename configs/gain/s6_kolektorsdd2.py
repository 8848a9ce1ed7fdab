# S6 (EfficientNetV2-S, AdamW 30 epochs) on KolektorSDD2: s6.py with the data
# of _base_/datasets/kolektorsdd2.py (mmengine does not let two bases define
# the same keys, so its overrides are repeated here). Data: the official
# train/ and test/ folders under data/kolektorsdd2 (<id>.png + <id>_GT.png);
# val is 10 % of train. Pretrained weights: see configs/gain/README.md
# "Offline weights".
_base_ = ['./s6.py']

data_root = 'data/kolektorsdd2'
img_scale = (224, 640)  # (w, h); images are about 230 x 630 px

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDefectMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDefectMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackMultiTaskInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
