from .load_defect_mask import LoadDefectMask
from .pack_multitask_inputs import PackMultiTaskInputs

__all__ = ['PackMultiTaskInputs', 'LoadDefectMask']
