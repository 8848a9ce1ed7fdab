# Stop-gradient: the classification head trains on detached shared features.
_base_ = './multitask_mnv3_fpn_fixed.py'
model = dict(detach_tasks=('cls', ))
