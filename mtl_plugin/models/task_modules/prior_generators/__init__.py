from .dense_anchor_generator import DenseAnchorGenerator

__all__ = ['DenseAnchorGenerator']
