# MVTec AD, one category (default 'bottle'): <category>/train/good,
# <category>/test/<type>/, <category>/ground_truth/<type>/<name>_mask.png;
# label = folder is not 'good'. The official train split has no defect, so a
# supervised GAIN-MTL model pools train + test and re-splits them 60/10/30,
# label-stratified (resplit, fixed seed): numbers are not comparable with the
# unsupervised MVTec AD protocol.
_base_ = ['./synthetic-defects.py']

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
