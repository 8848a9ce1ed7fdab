# PCGrad gradient surgery (Yu et al. 2020) on the shared backbone + neck.
_base_ = './multitask-fixed.py'
model = dict(balancer=dict(_delete_=True, type='PCGradBalancer'))
