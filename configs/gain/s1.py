# S1: classification only (EfficientNetV2-S, CAM read from the same pass).
_base_ = [
    '_base_/models/gain-mtl_efficientnetv2-s.py',
    '_base_/datasets/synthetic-defects.py',
    '_base_/schedules/adamw_30e.py',
    '_base_/default_runtime.py',
]
