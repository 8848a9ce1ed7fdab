# IMTL-G on the shared layers with per-task residual adapters.
_base_ = './multitask-imtlg.py'
model = dict(task_adapter=dict(type='TaskFeatureAdapter', in_channels=128,
                               num_levels=4, kernel_size=1))
