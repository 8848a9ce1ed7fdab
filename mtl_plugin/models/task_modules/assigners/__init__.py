from .center_sampling_iou_assigner import CenterSamplingIoUAssigner

__all__ = ['CenterSamplingIoUAssigner']
