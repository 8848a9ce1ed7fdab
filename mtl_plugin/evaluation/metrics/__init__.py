from .cam_metric import CAMMetric
from .defect_cls_metric import DefectClsMetric
from .dense_coco_metric import DenseCocoMetric
from .multitask_iou_metric import MultiTaskIoUMetric
from .multitask_study_metric import MultiTaskStudyMetric, study_report

__all__ = ['MultiTaskIoUMetric', 'MultiTaskStudyMetric', 'study_report', 'CAMMetric',
           'DefectClsMetric', 'DenseCocoMetric']
