"""Top-level GAIN configs for KolektorSDD2 and MVTec AD: S6 with the data of
the matching dataset base, and they build."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mtl_plugin.apis import build_dataset, build_model

from mtl_test_utils import REPO

GAIN = osp.join(REPO, 'configs', 'gain')
DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'train_pipeline', 'test_pipeline', 'data_root', 'img_scale')
CASES = [('s6_kolektorsdd2.py', 'kolektorsdd2.py'),
         ('s6_mvtec-bottle.py', 'mvtec-ad.py')]


@pytest.mark.parametrize('name, data_base', CASES)
def test_is_s6_with_the_dataset_base(name, data_base):
    cfg = Config.fromfile(osp.join(GAIN, name))
    s6 = Config.fromfile(osp.join(GAIN, 's6.py'))
    data = Config.fromfile(osp.join(GAIN, '_base_', 'datasets', data_base))
    assert cfg.model.to_dict() == s6.model.to_dict()
    assert cfg.optim_wrapper.to_dict() == s6.optim_wrapper.to_dict()
    assert cfg.train_cfg.to_dict() == s6.train_cfg.to_dict()
    for key in DATA_KEYS:
        value, expected = cfg[key], data[key]
        if hasattr(value, 'to_dict'):
            value, expected = value.to_dict(), expected.to_dict()
        assert value == expected, key


@pytest.mark.parametrize('name, data_base', CASES)
def test_model_builds_and_predicts(name, data_base):
    cfg = Config.fromfile(osp.join(GAIN, name))
    cfg.model.backbone.init_cfg = None  # no download; the weights are not tested
    model = build_model(cfg)
    w, h = cfg.img_scale
    with torch.no_grad():
        out = model.predict(torch.zeros(1, 3, h // 4, w // 4))
    assert out[0].pred_score.shape == (2, )


def test_kolektorsdd2_dataset_builds(tmp_path):
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = str(tmp_path / 'ksdd2')
    generate_defect_dataset(MetalDefectGeneratorConfig(height=64, width=48, num_train=10,
                                                  num_test=4, seed=0),
                            root, progress=False)
    cfg = Config.fromfile(osp.join(GAIN, CASES[0][0]))
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = root
    sample = build_dataset(cfg, 'test')[0]
    assert sample['inputs'].shape == (3, 640, 224)
    assert len(build_dataset(cfg, 'train')) + len(build_dataset(cfg, 'val')) == 10
