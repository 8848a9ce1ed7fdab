import numpy as np

from mtl_plugin.datasets.synthetic.multitask_scenes import KINDS, make_scene


def test_label_boxes_and_mask_follow_the_drawn_content():
    rng = np.random.default_rng(0)
    for _ in range(20):
        img, mask, boxes, label = make_scene(rng, size=64)
        assert img.shape == (64, 64, 3) and mask.shape == (64, 64)
        area = np.bincount(mask.ravel(), minlength=len(KINDS) + 1)[1:]
        # the image label is the kind covering most pixels
        assert label == int(np.argmax(area))
        for b in boxes:
            x, y, w, h = b['bbox']
            assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 64
            patch = mask[y:y + h, x:x + w]
            assert (patch == b['kind'] + 1).any()
        assert sum(b['area'] for b in boxes) == int((mask > 0).sum())
