# S6 = S5 + GT-mask fusion in the attention-mining mask:
# alpha * GT + (1 - alpha) * fused attention, alpha 0.5 -> 0 over the first
# 70 % of training (curve: 'linear', 'cosine' or 'step').
_base_ = ['./s5.py']

model = dict(gt_fusion=True, gt_fusion_alpha=0.5)
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7, curve='linear'))))
