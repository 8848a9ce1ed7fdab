# S9 plus the complement composites: the defect image's context with the
# defect replaced by normal content, label normal (the cue-carrying context
# alone is no evidence; the off-mask term already asks this of the maps).
_base_ = ['./s9.py']

model = dict(context_erasure=dict(complement=True))
