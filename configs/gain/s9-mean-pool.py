# S9 with the logits the spatial mean of the class maps (as S1..S8) instead
# of their log-sum-exp.
_base_ = ['./s9.py']

model = dict(cls_head=dict(pool='mean'))
