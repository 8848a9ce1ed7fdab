from .center_sampling_iou_assigner import CenterSamplingIoUAssigner
from .dense_anchor_generator import DenseAnchorGenerator

__all__ = ['CenterSamplingIoUAssigner', 'DenseAnchorGenerator']
