# The shipped single-task segmentation config, small enough for the permanent
# overfit test: it must memorise 8 synthetic images within max_iters.
_base_ = ['../../../../configs/multitask/single-seg.py']
diagnostics = dict(max_iters=150, val_interval=25)
