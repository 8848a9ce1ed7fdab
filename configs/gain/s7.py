# S7 = S3 + counterfactual loss (no localization head).
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
    loss_weights=dict(cam_guide=0.3, am=1.0, guide=0.5, cf=0.1))
