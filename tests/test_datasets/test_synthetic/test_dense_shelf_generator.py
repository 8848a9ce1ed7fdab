import numpy as np
import pytest

from mtl_plugin.datasets import SKU110KDataset
from mtl_plugin.datasets.synthetic import generate_shelf_image, write_shelf_split


def test_image_boxes_inside_disjoint_and_counted():
    rng = np.random.default_rng(0)
    for size, count in [((512, 512), (100, 400)), ((320, 256), (100, 150))]:
        img, boxes = generate_shelf_image(rng, *size, num_objects=count)
        assert img.shape == (size[1], size[0], 3) and img.dtype == np.uint8
        assert count[0] <= len(boxes) <= count[1]
        assert (boxes[:, :2] >= 0).all()
        assert (boxes[:, 2] <= size[0]).all() and (boxes[:, 3] <= size[1]).all()
        assert (boxes[:, 2:] > boxes[:, :2]).all()
        # Products are packed, never overlapping.
        x1 = np.maximum(boxes[:, None, 0], boxes[None, :, 0])
        x2 = np.minimum(boxes[:, None, 2], boxes[None, :, 2])
        y1 = np.maximum(boxes[:, None, 1], boxes[None, :, 1])
        y2 = np.minimum(boxes[:, None, 3], boxes[None, :, 3])
        inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        np.fill_diagonal(inter, 0)
        assert inter.max() == 0
        aspect = (boxes[:, 3] - boxes[:, 1]) / (boxes[:, 2] - boxes[:, 0])
        assert aspect.max() / aspect.min() > 2  # varied shapes


def test_impossible_request_is_refused():
    with pytest.raises(ValueError, match='cannot hold 400'):
        generate_shelf_image(np.random.default_rng(0), 32, 32, (100, 400))


def test_split_is_readable_by_sku110k_dataset(tmp_path):
    csv = write_shelf_split(str(tmp_path), 'val', 2, seed=3, width=128,
                            height=96, num_objects=(20, 40), progress=False)
    ds = SKU110KDataset(ann_file=csv,
                        data_prefix=dict(img=str(tmp_path / 'images')),
                        pipeline=[])
    assert len(ds) == 2
    assert ds.load_stats.num_clipped == 0 and ds.load_stats.num_zero_area == 0
    for i in range(2):
        info = ds.get_data_info(i)
        assert (info['width'], info['height']) == (128, 96)
        assert 20 <= len(info['instances']) <= 40
