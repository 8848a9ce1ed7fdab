# Both sufficiency terms on the stride-8 CAM: s6_fine_cam_context_erasure.py
# + defect transplant (as s6_transplant.py).
_base_ = ['./s6_fine_cam_context_erasure.py']

model = dict(
    defect_transplant=dict(type='DefectTransplant', shift=True,
                           match_stats='mean', ring_width=3),
    loss_weights=dict(transplant=1.0))
