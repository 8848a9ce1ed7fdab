# S9 without the off-mask evidence term.
_base_ = ['./s9.py']

model = dict(loss_weights=dict(offmask=0.0))
