from .defect_families import DEFECT_FAMILIES, get_family  # noqa: F401
from .dense_shelf_generator import generate_shelf_image, write_shelf_split  # noqa: F401
from .metal_defect_generator import MetalDefectGeneratorConfig  # noqa: F401
from .photo_defect_generator import PhotoDefectGeneratorConfig  # noqa: F401
from .textile_defect_generator import TextileDefectGeneratorConfig  # noqa: F401
