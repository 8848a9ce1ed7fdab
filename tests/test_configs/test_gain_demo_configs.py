"""The demo pair: demo_s1.py is demo.py with S1 as strategy, both take their
tiny backbone from configs/gain/_base_/models/tiny_mobilenetv3_small.py, and
the S1 twin trains (demo.py's run is in test_gain_derived_configs.py)."""
import os.path as osp

from gain_config_runner import REPO, make_defect_data, tiny_cfg, train_and_val
from mmengine.config import Config

GAIN = osp.join(REPO, 'configs', 'gain')


def _body(name):
    text = open(osp.join(GAIN, name)).read()
    base, body = text.split('\n_base_ = ', 1)[1].split('\n', 1)
    return base, body


def test_the_twins_differ_by_the_strategy_alone():
    base_best, body_best = _body('demo.py')
    base_s1, body_s1 = _body('demo_s1.py')
    assert body_best == body_s1
    tiny_base = "'./_base_/models/tiny_mobilenetv3_small.py'"
    assert base_s1 == f"['./s1.py', {tiny_base}]"
    assert base_best.endswith(f', {tiny_base}]') and base_best != base_s1


def test_both_use_the_tiny_base_for_the_parts_they_have():
    tiny = Config.fromfile(osp.join(GAIN, '_base_', 'models',
                                    'tiny_mobilenetv3_small.py')).tiny
    best = Config.fromfile(osp.join(GAIN, 'demo.py'))
    s1 = Config.fromfile(osp.join(GAIN, 'demo_s1.py'))
    for cfg in (best, s1):
        assert cfg.model.backbone == tiny.backbone  # no pretrained download left
        assert cfg.optim_wrapper.optimizer.lr == tiny.lr
        assert cfg.param_scheduler[0].end == tiny.warmup_iters
        assert cfg.train_dataloader.dataset.data_root == 'data/gain_demo'
    assert not s1.model.get('attention_head') and not s1.model.get('loc_head')
    assert s1.model.loss_weights == dict(cls=1.0)
    parts = tiny.parts_cam_neck if best.model.get('cam_neck') else tiny.parts
    for name, part in parts.items():
        if best.model.get(name):
            for key, value in part.items():
                assert best.model[name][key] == value or \
                    dict(best.model[name][key], **value) == best.model[name][key]


def test_s1_twin_trains_with_the_classification_loss_only(tmp_path):
    data = make_defect_data(str(tmp_path / 'data'))
    cfg = tiny_cfg('demo_s1', data, str(tmp_path / 'work'), tiny_backbone=False)
    out = train_and_val(cfg)
    assert {k for k in out['scalars'] if k.startswith('train/loss_')} == {'train/loss_cls'}
    assert 0.0 <= out['metrics']['cls/accuracy'] <= 1.0
    assert 'cam/iou' in out['metrics']
