# S9 without the control composites (a normal region pasted into another
# normal image's context, label normal).
_base_ = ['./s9.py']

model = dict(context_erasure=dict(control=False))
