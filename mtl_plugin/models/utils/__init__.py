from .map_normalization import masks_to_float, minmax_normalize

__all__ = ['minmax_normalize', 'masks_to_float']
