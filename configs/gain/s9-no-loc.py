# S9 without the localization head.
_base_ = ['./s9.py']

model = dict(loc_head=None, loss_weights=dict(loc=0.0))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(_delete_=True)))
