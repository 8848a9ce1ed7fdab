# Study variant: heads use global average pooling (pool_size=1), the usual
# "pool everything away" classifier setting; compare B with
# study-3task_tinycnn_20e_orientation-study.py.
_base_ = './study-3task_tinycnn_20e_orientation-study.py'
model = dict(heads=dict(shape=dict(pool_size=1), orientation=dict(pool_size=1)))
