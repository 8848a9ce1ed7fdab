# The CPU demo's shortcut learner: demo.py's recipe (MobileNetV3-Small, data,
# schedule, seed) with every guidance part switched off, i.e. S1:
# classification only, the CAM read from the last backbone level. On the
# cue-free test split it shows the model that is right on train for the
# wrong reason.
_base_ = ['./demo.py']

model = dict(
    cam_neck=None,
    cam_level=-1,
    cls_head=dict(pool='mean'),
    cam_evidence=False,
    loc_head=None,
    loss_weights=dict(_delete_=True, cls=1.0))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(_delete_=True)))
