from .pack_multitask_inputs import PackMultiTaskInputs
from .load_defect_mask import LoadDefectMask

__all__ = ['PackMultiTaskInputs', 'LoadDefectMask']
