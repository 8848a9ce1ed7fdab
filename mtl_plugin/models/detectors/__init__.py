from .gain_mtl import GAINMTL
from .multitask_det_segmentor import MultiTaskDetSegmentor
from .multitask_study_net import MultiTaskStudyNet

__all__ = ['GAINMTL', 'MultiTaskDetSegmentor', 'MultiTaskStudyNet']
