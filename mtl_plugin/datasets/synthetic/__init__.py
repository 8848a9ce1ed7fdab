from .dense_shelf_generator import generate_shelf_image, write_shelf_split  # noqa: F401
from .defect_generator import DefectGeneratorConfig, generate_defect_dataset  # noqa: F401
