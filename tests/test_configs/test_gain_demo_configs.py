"""The demo pair: demo.py shows its whole model in two files, demo-s1.py is
demo.py with the guidance switched off, and the S1 twin trains (demo.py's run
is in test_gain_derived_configs.py)."""
import ast
import os.path as osp

from mmengine.config import Config

from gain_config_runner import REPO, make_defect_data, tiny_cfg, train_and_val

GAIN = osp.join(REPO, 'configs', 'gain')


def _top_level_keys(path):
    """Names a config file assigns at its top level, and its ``_base_`` list."""
    tree = ast.parse(open(path).read())
    keys, bases = set(), []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                keys.add(target.id)
                if target.id == '_base_':
                    value = ast.literal_eval(node.value)
                    bases = [value] if isinstance(value, str) else list(value)
    return keys, bases


def _files_defining(path, key):
    """Every config file of ``path``'s inheritance tree that assigns ``key``."""
    keys, bases = _top_level_keys(path)
    found = [path] if key in keys else []
    for base in bases:
        found += _files_defining(osp.normpath(osp.join(osp.dirname(path), base)), key)
    return found


def test_the_demo_model_reads_in_two_files():
    files = _files_defining(osp.join(GAIN, 'demo.py'), 'model')
    assert [osp.relpath(f, GAIN) for f in files] == [
        'demo.py', osp.join('_base_', 'models', 'gain-mtl_mobilenetv3-small.py')]


def test_demo_s1_is_the_demo_with_the_s1_switches():
    _, bases = _top_level_keys(osp.join(GAIN, 'demo-s1.py'))
    assert bases == ['./demo.py']
    demo = Config.fromfile(osp.join(GAIN, 'demo.py'))
    s1 = Config.fromfile(osp.join(GAIN, 'demo-s1.py'))
    assert s1.model.backbone == demo.model.backbone
    for part in ('cam_neck', 'loc_head'):
        assert demo.model[part] and s1.model[part] is None
    assert s1.model.loss_weights == dict(cls=1.0)
    assert demo.model.cam_evidence and not s1.model.cam_evidence
    assert demo.model.cls_head.pool == 'lse' and s1.model.cls_head.pool == 'mean'
    assert not s1.model.get('attention_head') and not s1.model.get('gt_fusion')
    assert s1.default_hooks.loss_weight_scheduler.schedules == {}
    # everything but the model and its schedule hook is the demo's
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'optim_wrapper', 'param_scheduler', 'train_cfg', 'randomness'):
        assert s1[key] == demo[key], key


def test_s1_twin_trains_with_the_classification_loss_only(tmp_path):
    data = make_defect_data(str(tmp_path / 'data'))
    cfg = tiny_cfg('demo-s1', data, str(tmp_path / 'work'), tiny_backbone=False)
    out = train_and_val(cfg)
    assert {k for k in out['scalars'] if k.startswith('train/loss_')} == {'train/loss_cls'}
    assert 0.0 <= out['metrics']['cls/accuracy'] <= 1.0
    assert 'cam/iou' in out['metrics']
