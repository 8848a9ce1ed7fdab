# Runtime shared by every workload: console logs with ETA and checkpoints.
# TensorBoard scalars: `tools/train.py CONFIG --tensorboard`, or in a config
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                   dict(type='TensorboardVisBackend')])
# (needs the tensorboard package: MTL_EXTRAS=optional tools/install.sh).
default_scope = 'mtl_plugin'
custom_imports = dict(imports=['mtl_plugin'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook with crash-safe saves (docs/faults.md).
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to 'gloo' when no GPU is present. timeout: how
    # long (s) a rank waits in a collective for a rank that stopped answering
    # before it fails (docs/faults.md).
    dist_cfg=dict(backend='nccl', timeout=1800),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends, name='visualizer')

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
