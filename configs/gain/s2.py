# S2 = S1 + CAM guidance: the defect-class CAM supervised by the GT mask
# (foreground/background-balanced BCE: defects cover a few % of the pixels).
_base_ = ['./s1.py']

model = dict(
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    loss_weights=dict(cam_guide=0.3))
