# S9 without the context-erasure composites (no extra backbone pass).
_base_ = ['./s9.py']

model = dict(loss_weights=dict(ctx_erase=0.0))
