# S4 = S3 + localization head on an FPN (BCE + Dice) and CAM/attention-vs-loc
# consistency; both weights warm up from 0 over the first 50 % of training.
_base_ = [
    '_base_/models/gain-mtl_efficientnetv2-s.py',
    '_base_/datasets/synthetic-defects.py',
    '_base_/schedules/adamw_30e.py',
    '_base_/default_runtime.py',
]

model = dict(
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    attention_head=dict(type='GAINAttentionHead', mid_channels=128,
                        sigma=0.5, omega=10.0),
    guide_loss=dict(type='AttentionGuidanceLoss', balanced=True),
    loc_head=dict(type='GAINLocalizationHead',
                  neck=dict(type='FPN', out_channels=64, num_outs=4),
                  detach_input=False),
    loss_weights=dict(cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                      consistency=0.1))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5),
        consistency=dict(start=0.0, until=0.5))))
