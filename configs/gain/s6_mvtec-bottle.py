# S6 (EfficientNetV2-S, AdamW 30 epochs) on MVTec AD, category bottle: s6.py
# with the data of _base_/datasets/mvtec-ad.py (mmengine does not let two bases
# define the same keys, so its overrides are repeated here). The official
# train split holds no defect: train + test are pooled and re-split 60/10/30,
# label-stratified, so the numbers are not comparable with the unsupervised
# MVTec AD protocol. Another category: --cfg-options of the three
# *_dataloader.dataset.category keys. Pretrained weights: see
# configs/gain/README.md "Offline weights".
_base_ = ['./s6.py']

data_root = 'data/mvtec_ad'
category = 'bottle'
img_scale = (256, 256)
resplit = dict(train=0.6, val=0.1, test=0.3, seed=0)

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
train_dataloader = dict(dataset=dict(
    layout='mvtec', data_root=data_root, category=category, val_ratio=0.0,
    resplit=resplit, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(
    layout='mvtec', data_root=data_root, category=category, val_ratio=0.0,
    resplit=resplit, pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(
    layout='mvtec', data_root=data_root, category=category, val_ratio=0.0,
    resplit=resplit, pipeline=test_pipeline))
