# S8 = S7 + GT-mask fusion curriculum (no localization head).
_base_ = ['./s7.py']

model = dict(gt_fusion=True, gt_fusion_alpha=0.5)
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7, curve='linear'))))
