"""One train and one val iteration (and a test pass) of every retail config,
on tiny generated shelves in the SKU-110K CSV layout."""
import mtl_plugin  # noqa: F401,I001  (compat fixes before mmdet imports)
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mtl_test_utils import REPO

from mtl_plugin.datasets.synthetic import write_shelf_split

CONFIGS = ['retinanet-dense_r50_fpn_1x_sku110k.py',
           'retinanet-dense-400det_r50_fpn_1x_sku110k.py',
           'retinanet-dense_r18-half_fpn_8e_shelves.py']


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    # On the shared 2-core machine, two threads contending with other
    # processes run the convolutions ~10x slower than one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def shelves(tmp_path_factory):
    root = tmp_path_factory.mktemp('shelves')
    for split, num, seed in [('train', 2, 0), ('val', 1, 1), ('test', 1, 2)]:
        write_shelf_split(str(root), split, num, seed=seed, width=128,
                          height=96, num_objects=(20, 40), progress=False)
    return str(root) + '/'


def _tiny(cfg: Config, data_root: str, work_dir: str) -> Config:
    """Same structure, test-sized: half-width ResNet18, no pretrained weights,
    32 channels, 128 px, one epoch of one iteration."""
    cfg.work_dir = work_dir
    cfg.model.backbone.update(depth=18, base_channels=32, init_cfg=None)
    cfg.model.neck.update(in_channels=[32, 64, 128, 256], out_channels=32)
    cfg.model.bbox_head.update(in_channels=32, feat_channels=32)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        loader.update(num_workers=0, persistent_workers=False,
                      batch_size=2 if name == 'train_dataloader' else 1)
        loader.dataset.data_root = data_root
        loader.dataset.missing_images = 'error'
        for step in loader.dataset.pipeline:
            if step['type'] == 'Resize':
                step['scale'] = (128, 128)
    cfg.train_dataloader.dataset.filter_cfg = dict(filter_empty_gt=True)
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.mark.parametrize('name', CONFIGS)
def test_train_val_test_iteration(name, shelves, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'retail', name))
    # The shipped configs keep the seed's detector settings.
    head = cfg.model.bbox_head
    assert head.anchor_generator.type == 'DenseAnchorGenerator'
    assert len(head.anchor_generator.base_sizes) == cfg.model.neck.num_outs
    assert cfg.model.train_cfg.assigner.type == 'CenterSamplingIoUAssigner'
    assert cfg.model.test_cfg.nms.iou_threshold == 0.5
    assert cfg.model.test_cfg.score_thr == 0.2
    assert cfg.model.test_cfg.max_per_img >= 300
    if 'r50' in name:
        assert cfg.model.backbone.depth == 50
        assert cfg.model.backbone.init_cfg.checkpoint == \
            'torchvision://resnet50'

    runner = Runner.from_cfg(_tiny(cfg, shelves, str(tmp_path)))
    runner.train()
    hub = runner.message_hub
    assert runner.iter == 1
    losses = {k: hub.get_scalar(f'train/{k}').current()
              for k in ('loss_cls', 'loss_bbox')}
    assert all(math.isfinite(v) for v in losses.values()), losses
    # Positives were assigned: the box loss is not zero.
    assert losses['loss_bbox'] > 0
    val = hub.get_scalar('val/coco/bbox_mAP').current()
    assert 0.0 <= val <= 1.0
    metrics = runner.test()
    assert set(metrics) == {'coco/bbox_mAP', 'coco/bbox_mAP_50',
                            'coco/bbox_mAP_75', 'coco/bbox_AR@300'}
