# KolektorSDD2 (https://www.vicos.si/resources/kolektorsdd2/): train/ (2331
# images, 246 defective) and test/ (1004, 110 defective), <id>.png +
# <id>_GT.png; label = mask has foreground. Images are about 230 x 630 px.
# val is carved from train (10 %, label-stratified).
_base_ = ['./synthetic-defects.py']

data_root = 'data/kolektorsdd2'
img_scale = (224, 640)  # (w, h)

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
