# S6 with the stride-8 CAM (s6_fine_cam.py) + context erasure (sufficiency,
# as s6_context_erasure.py).
_base_ = ['./s6_fine_cam.py']

model = dict(
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=True),
    loss_weights=dict(ctx_erase=1.0))
