# S6 with the stride-8 CAM (as s6-fine-cam.py) and both sufficiency terms:
# context erasure (as s6-context-erasure.py) and defect transplant (as
# s6-transplant.py).
_base_ = ['./s6.py']

model = dict(
    cam_neck=dict(type='FPN', out_channels=64, start_level=1, num_outs=3,
                  norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
    cam_level=0,  # FPN outputs: strides 8, 16, 32
    attention_head=dict(mid_channels=64),
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=True),
    defect_transplant=dict(type='DefectTransplant', shift=True,
                           match_stats='mean', ring_width=3),
    loss_weights=dict(ctx_erase=1.0, transplant=1.0))
