# S6 + defect transplant (sufficiency): each GT-masked defect, moved to a
# random place on a normal image of the batch with its local mean matched,
# is a defect; its moved mask supervises the composite's CAM.
_base_ = ['./s6.py']

model = dict(
    defect_transplant=dict(type='DefectTransplant', shift=True,
                           match_stats='mean', ring_width=3),
    loss_weights=dict(transplant=1.0))
