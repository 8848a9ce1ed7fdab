from .multitask_det_segmentor import MultiTaskDetSegmentor

__all__ = ['MultiTaskDetSegmentor']
