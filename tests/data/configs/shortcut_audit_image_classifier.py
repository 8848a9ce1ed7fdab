# A stock mmpretrain ImageClassifier on our DefectDataset, for the shortcut
# audit's any-classifier path (tests/test_evaluation/test_shortcut_audit/):
# mmpretrain's model, data preprocessor, PackInputs and metric; the plugin
# parts are the dataset and LoadDefectMask, which gives the pipeline the
# defect mask the audit's composites need. The plugin's default scope (its
# registries hang under mmdet's, out of reach of an 'mtl_plugin.' prefix in
# mmpretrain's scope); `_scope_='mmpretrain'` builds the model dict, as
# copied from an mmpretrain config, and everything in it in mmpretrain's.
# Tests set the data root.
default_scope = 'mtl_plugin'
custom_imports = dict(imports=['mtl_plugin'], allow_failed_imports=False)

data_root = 'data/synthetic_defects'
img_scale = (48, 48)
model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=2,
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], to_rgb=True),
    # a narrow ResNet-18 (0.7 M parameters): cheap at 48 px, and its random
    # initialisation gives image-dependent scores (MobileNetV3's does not)
    backbone=dict(type='ResNet', depth=18, base_channels=16),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=2, in_channels=128,
              loss=dict(type='CrossEntropyLoss')))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDefectMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmpretrain.PackInputs'),
]
val_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='DefectDataset', data_root=data_root,
                 layout='kolektorsdd2', split='val', val_ratio=0.5, val_seed=0,
                 test_mode=True, pipeline=test_pipeline))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
val_cfg = dict()
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict()
