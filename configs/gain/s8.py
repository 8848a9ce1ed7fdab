# S8 = S7 + GT-mask fusion curriculum (no localization head): alpha 0.5 -> 0
# over the first 70 % of training, as in S6.
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
    loss_weights=dict(cam_guide=0.3, am=1.0, guide=0.5, cf=0.1),
    gt_fusion=True,
    gt_fusion_alpha=0.5)
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7, curve='linear'))))
