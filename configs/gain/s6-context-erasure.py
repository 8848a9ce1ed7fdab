# S6 + context erasure (sufficiency): each defect kept inside its GT mask
# (dilated 4 px) on a normal image's context must still be a defect, and the
# defect image's context with the defect replaced by normal pixels is normal.
_base_ = ['./s6.py']

model = dict(
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=True),
    loss_weights=dict(ctx_erase=1.0))
