# GradNorm (Chen et al. 2018): task weights that equalise the tasks' gradient
# norms on the last shared layer, scaled by each task's training rate.
_base_ = './multitask-fixed.py'
model = dict(
    balancer=dict(
        _delete_=True, type='GradNormBalancer', alpha=1.5, momentum=0.9,
        # the FPN's four output convs (weight + bias): the last shared layer
        num_last_shared=8))
