# S2 = S1 + CAM guidance: the defect-class CAM supervised by the GT mask.
_base_ = ['./s1.py']

model = dict(loss_weights=dict(cam_guide=0.3))
