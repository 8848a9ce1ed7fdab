# SKU-110K (or synthetic shelves from tools/data/generate_shelves.py) in the
# official layout: <data_root>/images/*.jpg and
# <data_root>/annotations/annotations_{train,val,test}.csv.
# The SKU-110K licence is academic, non-commercial: download it yourself.
dataset_type = 'SKU110KDataset'
data_root = 'data/SKU110K_fixed/'
backend_args = None
image_scale = (1333, 800)

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    # 'instances' (original-scale boxes) lets CocoMetric build its ground
    # truth from the CSV-backed dataset, without a COCO JSON file.
    dict(
        type='PackMultiTaskInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'instances')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/annotations_train.csv',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        # A handful of SKU-110K images are corrupt and usually deleted; their
        # names are logged.
        missing_images='skip',
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/annotations_val.csv',
        data_prefix=dict(img='images/'),
        test_mode=True,
        missing_images='skip',
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/annotations_test.csv',
        data_prefix=dict(img='images/'),
        test_mode=True,
        missing_images='skip',
        pipeline=test_pipeline,
        backend_args=backend_args))

# SKU-110K protocol: AP (0.5:0.95), AP50, AP75 and AR, all at 300 detections
# per image. mmdet's CocoMetric reports AP at 100 detections whatever its
# proposal_nums (pycocotools' summary fixes it), hence DenseCocoMetric.
val_evaluator = dict(
    type='DenseCocoMetric',
    max_dets=300,
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
