# Synthetic defects in the KolektorSDD2 layout, written by
#   python tools/data/generate_defects.py data/synthetic_defects
# train/ carries the shortcut cue (corner stamp, correlated with the label),
# test/ is cue-free; val is carved from train (10 %, label-stratified), so it
# shares train's cue statistics.
# Note: the pipelines below read img_scale when this file is parsed; a derived
# config that changes the input size redefines the pipelines (or overrides the
# Resize entries), as in mmdet.
dataset_type = 'DefectDataset'
data_root = 'data/synthetic_defects'
img_scale = (256, 256)  # (w, h) network input

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
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        layout='kolektorsdd2',
        split='train',
        val_ratio=0.1,
        val_seed=0,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        layout='kolektorsdd2',
        split='val',
        val_ratio=0.1,
        val_seed=0,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        layout='kolektorsdd2',
        split='test',
        test_mode=True,
        pipeline=test_pipeline))

# Classification of the defect class ('cls/') and "does it look at the
# defect" ('cam/') in one loop; CAMMetric reports attention / localization
# metrics only for models that output them.
val_evaluator = [
    dict(type='DefectClsMetric', prefix='cls'),
    dict(type='CAMMetric', prefix='cam', threshold=0.5),
]
test_evaluator = val_evaluator
# The panel hook (image | CAM | attention | localization | GT) belongs in
# configs/gain/_base_/default_runtime.py, which owns default_hooks (mmengine
# forbids one key in two bases of a config):
#   default_hooks = dict(visualization=dict(
#       type='GAINVisualizationHook', draw=False, interval=50))
# tools/test.py --show-dir sets its draw=True and test_out_dir.
