from .composite_batch import CompositeBatch
from .context_erasure import ContextErasure
from .defect_transplant import DefectTransplant

__all__ = ['CompositeBatch', 'ContextErasure', 'DefectTransplant']
