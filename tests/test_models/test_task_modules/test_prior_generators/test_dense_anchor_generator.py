import mtl_plugin  # noqa: F401,I001  (compat fixes before mmdet imports)
import pytest
import torch
from mmdet.models.task_modules.prior_generators import AnchorGenerator

from mtl_plugin.models.task_modules import DenseAnchorGenerator
from mtl_plugin.registry import TASK_UTILS

SIZES = [(8, 10), (4, 5), (2, 3), (1, 2), (1, 1)]  # P2..P6 of a 32x40 input


def test_defaults_match_mmdet_anchor_generator():
    ours = TASK_UTILS.build(dict(type='DenseAnchorGenerator'))
    ref = AnchorGenerator(strides=[4, 8, 16, 32, 64],
                          ratios=[0.3, 0.5, 1.0, 2.0, 3.0],
                          scales=[0.5, 0.75, 1.0, 1.25],
                          base_sizes=[32, 64, 128, 256, 512])
    assert ours.num_base_priors == [20] * 5
    got = ours.grid_priors(SIZES, device='cpu')
    want = ref.grid_priors(SIZES, device='cpu')
    for level, ((h, w), a, b) in enumerate(zip(SIZES, got, want)):
        assert a.shape == (h * w * 20, 4)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
        # Anchor centres sit on the stride grid, 20 anchors per location.
        stride = 4 * 2**level
        ctr = ((a[:, :2] + a[:, 2:]) / 2).view(h, w, 20, 2)
        ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w),
                                indexing='ij')
        torch.testing.assert_close(ctr[..., 0], (xs * stride).float()[..., None]
                                   .expand(h, w, 20))
        torch.testing.assert_close(ctr[..., 1], (ys * stride).float()[..., None]
                                   .expand(h, w, 20))


def test_anchor_sizes_follow_base_size_ratio_scale():
    gen = DenseAnchorGenerator()
    base = gen.base_anchors[1]  # P3: base size 64
    wh = base[:, 2:] - base[:, :2]
    # scale_major: ratio-major rows of 4 scales.
    ratios = torch.tensor([0.3, 0.5, 1.0, 2.0, 3.0]).repeat_interleave(4)
    scales = torch.tensor([0.5, 0.75, 1.0, 1.25]).repeat(5)
    torch.testing.assert_close(wh[:, 1] / wh[:, 0], ratios)
    torch.testing.assert_close(torch.sqrt(wh[:, 0] * wh[:, 1]), 64 * scales)


def test_cache_returns_same_tensor_per_size_and_dtype():
    gen = DenseAnchorGenerator(cache_size=3)
    a = gen.single_level_grid_priors((4, 5), 0, device='cpu')
    assert gen.single_level_grid_priors((4, 5), 0, device='cpu') is a
    b = gen.single_level_grid_priors((4, 6), 0, device='cpu')
    assert b is not a and b.shape == (4 * 6 * 20, 4)
    half = gen.single_level_grid_priors((4, 5), 0, dtype=torch.float16,
                                        device='cpu')
    assert half.dtype == torch.float16
    # LRU eviction bounds the cache.
    gen.single_level_grid_priors((2, 2), 1, device='cpu')
    assert len(gen._cache) == 3
    assert gen.single_level_grid_priors((4, 5), 0, device='cpu') is not a
    gen.clear_cache()
    assert len(gen._cache) == 0


def test_cache_disabled():
    gen = DenseAnchorGenerator(cache_size=0)
    a = gen.single_level_grid_priors((2, 2), 0, device='cpu')
    assert gen.single_level_grid_priors((2, 2), 0, device='cpu') is not a
    assert len(gen._cache) == 0


def test_base_sizes_must_match_levels():
    with pytest.raises(ValueError, match='5 base_sizes.*4 strides'):
        DenseAnchorGenerator(strides=[4, 8, 16, 32])
