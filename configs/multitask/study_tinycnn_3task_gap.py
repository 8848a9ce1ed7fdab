# Study variant: heads use global average pooling (pool_size=1), the usual
# "pool everything away" classifier setting; compare B with study_tinycnn_3task.py.
_base_ = './study_tinycnn_3task.py'
model = dict(heads=dict(shape=dict(pool_size=1), orientation=dict(pool_size=1)))
