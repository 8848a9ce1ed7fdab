from .defect_dataset import DefectDataset  # noqa: F401
from .guarded_dataset import GuardedDataset  # noqa: F401
from .multitask_dataset import MultiTaskDataset  # noqa: F401
from .orientation_study_dataset import OrientationStudyDataset  # noqa: F401
from .sku110k_dataset import SKU110KDataset  # noqa: F401
from .synthetic import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
