from .bilinear_map_upsampler import BilinearMapUpsampler
from .deconv_map_decoder import DeconvMapDecoder
from .task_feature_adapter import TaskFeatureAdapter

__all__ = ['BilinearMapUpsampler', 'DeconvMapDecoder', 'TaskFeatureAdapter']
