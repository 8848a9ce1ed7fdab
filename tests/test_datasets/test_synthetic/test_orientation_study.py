import numpy as np

from mtl_plugin.datasets.synthetic.orientation_study import NUM_ORIENTATIONS, SHAPE_NAMES, render


def test_no_shape_looks_the_same_after_a_rotation():
    # labels must be determined by the image: a shape rotated by any bin
    # multiple must differ from itself (no rotational symmetry)
    for shape in range(len(SHAPE_NAMES)):
        base = render(shape, 0.0, 1.0, np.random.default_rng(0)).astype(float)
        for k in range(1, NUM_ORIENTATIONS):
            rot = render(shape, k * 360 / NUM_ORIENTATIONS, 1.0,
                         np.random.default_rng(0)).astype(float)
            assert np.abs(rot - base).mean() > 2.0, (SHAPE_NAMES[shape], k)


def test_intensity_sets_the_gray_level():
    bright = render(0, 10.0, 1.0, np.random.default_rng(1))
    dim = render(0, 10.0, 0.4, np.random.default_rng(1))
    assert bright.max() > 240 and 90 < dim.max() < 115
