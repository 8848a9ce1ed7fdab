# A seconds-long iteration-based run for the tool tests (not a shipped config).
_base_ = '../../../configs/_base_/default_runtime.py'
custom_imports = dict(imports=['mtl_plugin', 'toy_modules'],
                      allow_failed_imports=False)

model = dict(type='ToyRecorderModel', record_dir='')
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='ToyRegressionDataset', length=64))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=30)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(type='MultiStepLR', milestones=[20], gamma=0.1, by_epoch=False),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=5),
    checkpoint=dict(interval=5, by_epoch=False, max_keep_ckpts=-1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
# tests/test_tools/test_resume.py slows the run down to kill it mid-way.
custom_hooks = [dict(type='SlowDownHook', seconds=0.0)]

test_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='ToyRegressionDataset', length=16))
test_cfg = dict(type='TestLoop')
test_evaluator = dict(type='ToyMSEMetric')
