# IMTL-G (Liu et al. 2021): the shared layers follow the aggregate gradient
# with equal projections on every task's gradient direction (weights taken
# on the last shared layer).
_base_ = './multitask-fixed.py'
model = dict(
    balancer=dict(
        _delete_=True, type='IMTLGBalancer',
        # the FPN's four output convs (weight + bias): the last shared layer
        num_last_shared=8))
