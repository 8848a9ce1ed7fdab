"""Helpers of the diagnostics tests: paths, generated data, config loading."""
import os
import os.path as osp
import sys

import cv2
import numpy as np
import torch

from mtl_test_utils import TEST_DATA

CONFIGS = osp.join(TEST_DATA, 'configs', 'diagnostics')
if TEST_DATA not in sys.path:
    sys.path.insert(0, TEST_DATA)  # diagnostics_planted (custom_imports)
torch.set_num_threads(1)


def write_seg_folder(root: str, num: int = 8, size: int = 64, fg_value: int = 1,
                     img_dir: str = 'img_dir', ann_dir: str = 'ann_dir',
                     ann_suffix: str = '.png') -> np.ndarray:
    """``num`` BGR images with one red rectangle and masks (0 / ``fg_value``).

    Returns the per-image foreground pixel counts.
    """
    rng = np.random.default_rng(0)
    counts = []
    for i in range(num):
        img = np.full((size, size, 3), 90, np.uint8)
        mask = np.zeros((size, size), np.uint8)
        w, h = rng.integers(size // 4, size // 2, 2)
        x, y = rng.integers(0, size - w), rng.integers(0, size - h)
        img[y:y + h, x:x + w] = (0, 0, 255)
        mask[y:y + h, x:x + w] = fg_value
        counts.append(int(w * h))
        for d in (img_dir, ann_dir):
            os.makedirs(osp.join(root, d), exist_ok=True)
        cv2.imwrite(osp.join(root, img_dir, f'{i:03d}.png'), img)
        cv2.imwrite(osp.join(root, ann_dir, f'{i:03d}{ann_suffix}'), mask)
    return np.array(counts)


def load_cfg(path: str, data_root: str = None):
    from mmengine.config import Config

    import mtl_plugin  # noqa: F401
    cfg = Config.fromfile(path)
    if data_root is not None:
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            ds = cfg[loader]['dataset']
            while 'dataset' in ds:
                ds = ds['dataset']
            ds['data_root'] = data_root
    return cfg


def tiny_cfg(name: str, data_root: str = None):
    return load_cfg(osp.join(CONFIGS, name), data_root)
