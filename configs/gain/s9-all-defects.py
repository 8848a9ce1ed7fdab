# S9 with composites made from every defect image of the batch instead of a
# quarter of them (about 4x the extra pass).
_base_ = ['./s9.py']

model = dict(context_erasure=dict(defect_fraction=1.0))
