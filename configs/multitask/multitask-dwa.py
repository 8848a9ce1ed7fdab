# Dynamic Weight Average (Liu et al. 2019); period = one epoch of 400 images at
# batch 16 (set it to your epoch length).
_base_ = './multitask-fixed.py'
model = dict(balancer=dict(_delete_=True, type='DWABalancer', temperature=2.0,
                           period=25))
