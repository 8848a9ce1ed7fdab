# Stop-gradient: the classification head trains on detached shared features.
_base_ = './multitask-fixed.py'
model = dict(detach_tasks=('cls', ))
