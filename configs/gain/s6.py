# S6 = S5 + GT-mask fusion in the attention-mining mask:
# alpha * GT + (1 - alpha) * fused attention, alpha 0.5 -> 0 over the first
# 70 % of training (curve: 'linear', 'cosine' or 'step').
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
                      consistency=0.1, cf=0.1),
    gt_fusion=True,
    gt_fusion_alpha=0.5)
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5),
        consistency=dict(start=0.0, until=0.5),
        gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7, curve='linear'))))
