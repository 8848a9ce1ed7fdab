from .gain_mtl import GAINMTL
from .multitask_study_net import MultiTaskStudyNet

__all__ = ['GAINMTL', 'MultiTaskStudyNet']
