"""Anchor generator for densely packed objects (SKU-110K style shelves).

The reference spec (docs/design.md) gives five anchor base sizes (32, 64, 128,
256, 512) but an FPN of four levels (P2..P5); mmdet's :class:`AnchorGenerator`
needs exactly one base size per stride. We keep all five sizes and add **P6**
(stride 64): the FPN emits P2..P6 (strides 4, 8, 16, 32, 64), and each level
``l`` gets base size ``32 * 2**l`` (8 x its stride). Dropping 512 instead would
leave the largest shelf products (close-up shots, 400+ px) without an anchor
whose IoU reaches the 0.3 match threshold.
"""
from collections import OrderedDict
from typing import Sequence, Tuple, Union

import torch
from mmdet.models.task_modules.prior_generators import AnchorGenerator
from torch import Tensor

from mtl_plugin.registry import TASK_UTILS

DEFAULT_STRIDES = (4, 8, 16, 32, 64)
DEFAULT_BASE_SIZES = (32, 64, 128, 256, 512)
DEFAULT_RATIOS = (0.3, 0.5, 1.0, 2.0, 3.0)
DEFAULT_SCALES = (0.5, 0.75, 1.0, 1.25)


@TASK_UTILS.register_module()
class DenseAnchorGenerator(AnchorGenerator):
    """mmdet's :class:`AnchorGenerator` with per-level base sizes and a cache.

    Anchors are ``(x1, y1, x2, y2)`` in input-image pixels; at each location of
    level ``l`` there are ``len(ratios) * len(scales)`` anchors (20 with the
    defaults) of width ``base_sizes[l] * scale / sqrt(ratio)`` and height
    ``base_sizes[l] * scale * sqrt(ratio)`` (``ratio`` = height / width, as in
    mmdet), centred on ``(x * stride, y * stride)``.

    Anchor grids are cached per ``(level, feature-map size, dtype, device)``:
    the anchor head asks for them every iteration, and at 1333x800 with P2..P6
    they are 1.8 M boxes (29 MB in fp32). The cache keeps the ``cache_size``
    most recently used grids, so multi-scale training does not grow it without
    bound. Returned tensors are shared: callers must not modify them in place
    (mmdet's anchor heads concatenate them, which copies).

    Args:
        strides: stride of each level in pixels (default P2..P6).
        base_sizes: anchor base size of each level in pixels; one per stride.
        ratios: anchor height / width ratios.
        scales: multipliers of the base size.
        cache_size: number of per-level grids kept; 0 disables the cache.
        **kwargs: other :class:`AnchorGenerator` arguments (``center_offset``,
            ``scale_major``, ``use_box_type``, ...).
    """

    def __init__(self,
                 strides: Sequence[Union[int, Tuple[int, int]]] = DEFAULT_STRIDES,
                 base_sizes: Sequence[float] = DEFAULT_BASE_SIZES,
                 ratios: Sequence[float] = DEFAULT_RATIOS,
                 scales: Sequence[float] = DEFAULT_SCALES,
                 cache_size: int = 32,
                 **kwargs) -> None:
        if len(base_sizes) != len(strides):
            raise ValueError(
                f'DenseAnchorGenerator: got {len(base_sizes)} base_sizes '
                f'{list(base_sizes)} for {len(strides)} strides '
                f'{list(strides)}; give one base size per FPN level (for the '
                'five sizes 32..512 use five levels P2..P6, strides 4..64)')
        if cache_size < 0:
            raise ValueError(f'cache_size must be >= 0, got {cache_size}')
        super().__init__(
            strides=list(strides),
            ratios=list(ratios),
            scales=list(scales),
            base_sizes=list(base_sizes),
            **kwargs)
        self.cache_size = cache_size
        self._cache: 'OrderedDict[tuple, Tensor]' = OrderedDict()

    def single_level_grid_priors(self,
                                 featmap_size: Tuple[int, int],
                                 level_idx: int,
                                 dtype: torch.dtype = torch.float32,
                                 device: Union[str, torch.device] = 'cuda'
                                 ) -> Tensor:
        """Anchors of one level, ``(H * W * A, 4)``; cached (see class doc)."""
        if self.cache_size == 0 or self.use_box_type:
            return super().single_level_grid_priors(
                featmap_size, level_idx, dtype=dtype, device=device)
        key = (level_idx, int(featmap_size[0]), int(featmap_size[1]), dtype,
               str(torch.device(device)))
        anchors = self._cache.get(key)
        if anchors is None:
            anchors = super().single_level_grid_priors(
                featmap_size, level_idx, dtype=dtype, device=device)
            self._cache[key] = anchors
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return anchors

    def clear_cache(self) -> None:
        """Drop every cached anchor grid (e.g. before moving to another GPU)."""
        self._cache.clear()

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(strides={self.strides}, '
                f'base_sizes={self.base_sizes}, '
                f'ratios={self.ratios.tolist()}, '
                f'scales={self.scales.tolist()}, cache_size={self.cache_size})')

