"""The GAIN-MTL dataset base configs build working dataloaders and evaluators."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.structures import PixelData

from mtl_plugin.datasets.synthetic.metal_defect_generator import (
    MetalDefectGeneratorConfig,
    generate_defect_dataset,
)
from mtl_plugin.registry import EVALUATOR

from mtl_test_utils import REPO

CFG_DIR = osp.join(REPO, 'configs', 'gain', '_base_', 'datasets')


def _loaders(cfg, root, size):
    init_default_scope('mtl_plugin')
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.data_root = root
        for t in loader.dataset.pipeline:
            if t['type'] == 'Resize':
                t['scale'] = size
    return {n: Runner.build_dataloader(cfg[n]) for n in
            ('train_dataloader', 'val_dataloader', 'test_dataloader')}


def _check_batch(batch, size):
    w, h = size
    assert len(batch['inputs']) == 4 and batch['inputs'][0].shape == (3, h, w)
    for s in batch['data_samples']:
        assert s.gt_sem_seg.data.shape == (1, h, w)
        assert s.gt_sem_seg.data.dtype == torch.long
        assert int(s.gt_label) == int(s.gt_sem_seg.data.any())


def _fake_predict(samples):
    for s in samples:
        p = 0.8 if int(s.gt_label) else 0.3
        s.pred_score = torch.tensor([1 - p, p])
        s.pred_label = torch.tensor([int(p > 0.5)])
        s.pred_cam = PixelData(data=s.gt_sem_seg.data.float())  # perfect CAM
    return samples


def test_synthetic_config_end_to_end(tmp_path):
    root = str(tmp_path / 'synth')
    generate_defect_dataset(MetalDefectGeneratorConfig(height=48, width=48,
                                                  num_train=40, num_test=8,
                                                  seed=0), root, progress=False)
    cfg = Config.fromfile(osp.join(CFG_DIR, 'synthetic-defects.py'))
    loaders = _loaders(cfg, root, (32, 32))
    train_ds = loaders['train_dataloader'].dataset
    val_ds = loaders['val_dataloader'].dataset
    assert len(train_ds) + len(val_ds) == 40 and len(val_ds) == 4
    assert len(loaders['test_dataloader'].dataset) == 8
    for name, loader in loaders.items():
        _check_batch(next(iter(loader)), (32, 32))
    evaluator = Evaluator(cfg.test_evaluator)
    batch = next(iter(loaders['test_dataloader']))
    samples = _fake_predict(batch['data_samples'])
    evaluator.process(samples, batch)
    metrics = evaluator.evaluate(len(samples))
    assert metrics['cls/accuracy'] == 1.0 and metrics['cls/auroc'] == 1.0
    n_def = sum(int(s.gt_label) for s in samples)
    assert metrics['cam/num_images'] == n_def
    if n_def:
        assert metrics['cam/iou'] == 1.0 and metrics['cam/point_game'] == 1.0
    assert 'default_hooks' not in cfg  # owned by the GAIN runtime base


def _write_mvtec(root):
    for i in range(6):
        p = osp.join(root, 'bottle', 'train', 'good', f'{i:03d}.png')
        os.makedirs(osp.dirname(p), exist_ok=True)
        cv2.imwrite(p, np.full((40, 40, 3), 100, np.uint8))
    for t in ('good', 'broken'):
        for i in range(5):
            p = osp.join(root, 'bottle', 'test', t, f'{i:03d}.png')
            os.makedirs(osp.dirname(p), exist_ok=True)
            cv2.imwrite(p, np.full((40, 40, 3), 100, np.uint8))
            if t == 'broken':
                m = np.zeros((40, 40), np.uint8)
                m[10:20, 10:20] = 255
                mp = osp.join(root, 'bottle', 'ground_truth', t, f'{i:03d}_mask.png')
                os.makedirs(osp.dirname(mp), exist_ok=True)
                cv2.imwrite(mp, m)


@pytest.mark.parametrize('name', ['kolektorsdd2.py', 'mvtec-ad.py'])
def test_real_layout_configs(tmp_path, name):
    root = str(tmp_path / 'data')
    if name == 'mvtec-ad.py':
        _write_mvtec(root)
    else:
        generate_defect_dataset(MetalDefectGeneratorConfig(height=64, width=32,
                                                      num_train=40, num_test=8),
                                root, progress=False)
    cfg = Config.fromfile(osp.join(CFG_DIR, name))
    loaders = _loaders(cfg, root, (32, 64))
    sizes = {n: len(loader.dataset) for n, loader in loaders.items()}
    if name == 'mvtec-ad.py':
        # 16 images re-split 60/10/30 per label (good 11, broken 5)
        assert sum(sizes.values()) == 16
        labels = [loaders['train_dataloader'].dataset.get_data_info(i)['gt_label']
                  for i in range(sizes['train_dataloader'])]
        assert 0 in labels and 1 in labels
    for loader in loaders.values():
        if len(loader.dataset) >= 4:
            _check_batch(next(iter(loader)), (32, 64))
    assert len(EVALUATOR.build(dict(type='Evaluator', metrics=cfg.val_evaluator)).metrics) == 2
