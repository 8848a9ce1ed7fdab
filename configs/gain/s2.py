# S2 = S1 + CAM guidance: the defect-class CAM supervised by the GT mask
# (foreground/background-balanced BCE: defects cover a few % of the pixels).
_base_ = [
    '_base_/models/gain-mtl_efficientnetv2-s.py',
    '_base_/datasets/synthetic-defects.py',
    '_base_/schedules/adamw_30e.py',
    '_base_/default_runtime.py',
]

model = dict(
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    loss_weights=dict(cam_guide=0.3))
