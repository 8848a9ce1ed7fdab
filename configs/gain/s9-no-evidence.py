# S9 with the defect map the defect-class CAM alone instead of the defect
# minus the normal class map (guidance and off-mask term act on it).
_base_ = ['./s9.py']

model = dict(cam_evidence=False)
