# Synthetic multi-task scenes (tools/data/generate_multitask.py): 64x64 RGB,
# boxes of 3 object kinds, per-pixel class masks, a "dominant kind" label.
data_root = 'data/synthetic_multitask/'
metainfo = dict(
    classes=('square', 'disc', 'triangle'),
    seg_classes=('background', 'square', 'disc', 'triangle'),
    image_classes=('square_dominant', 'disc_dominant', 'triangle_dominant'))
img_scale = (64, 64)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_seg=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # mmdet's flip moves boxes and masks together with the image.
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackMultiTaskInputs'),
]
# Ground truth is loaded after the resize: metrics compare at original size.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_seg=True),
    dict(type='PackMultiTaskInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='MultiTaskDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/train.json',
        data_prefix=dict(img='images/train/', seg='masks/train/'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MultiTaskDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/val.json',
        data_prefix=dict(img='images/val/', seg='masks/val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# One loop, three tasks, distinct prefixes.
det_metric = dict(type='CocoMetric', ann_file=data_root + 'annotations/val.json',
                  metric='bbox', prefix='det')
seg_metric = dict(type='MultiTaskIoUMetric', iou_metrics=['mIoU'], prefix='seg')
cls_metrics = [
    dict(type='mmpretrain.Accuracy', topk=(1, ), prefix='cls'),
    dict(type='mmpretrain.SingleLabelMetric',
         items=('precision', 'recall', 'f1-score'), prefix='cls'),
]
val_evaluator = [det_metric, seg_metric] + cls_metrics
test_evaluator = val_evaluator
