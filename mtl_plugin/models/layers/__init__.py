from .bilinear_map_upsampler import BilinearMapUpsampler
from .deconv_map_decoder import DeconvMapDecoder

__all__ = ['BilinearMapUpsampler', 'DeconvMapDecoder']
