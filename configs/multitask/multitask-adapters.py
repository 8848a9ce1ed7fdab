# Per-task residual adapters (1x1 conv + BN per FPN level) between the shared
# neck and each head; fixed weights.
_base_ = './multitask-fixed.py'
model = dict(task_adapter=dict(type='TaskFeatureAdapter', in_channels=128,
                               num_levels=4, kernel_size=1))
