"""ShortcutAuditHook: the audit keys reach the validation log and
CheckpointHook(save_best=...) in a real mmengine run of configs/gain/demo.py."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mtl_plugin.engine.hooks import ShortcutAuditHook
from mtl_plugin.engine.hooks.shortcut_audit_hook import AUDIT_KEYS
from mtl_plugin.registry import HOOKS

from mtl_test_utils import REPO

SIZE = 64


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = str(tmp_path_factory.mktemp('hook_defects'))
    generate_defect_dataset(MetalDefectGeneratorConfig(
        height=SIZE, width=SIZE, num_train=16, num_test=2, seed=0), root,
        progress=False)
    return root


def _cfg(data_root, work_dir):
    """demo.py with sizes cut down: 64 px, 3 iterations, validation after
    each, the audit every 2 iterations, best checkpoint by audit/combined."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'gain', 'demo.py'))
    cfg.work_dir = work_dir
    for name in ('train_dataloader', 'val_dataloader'):
        loader = cfg[name]
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.update(data_root=data_root, val_ratio=0.5)
        for step in loader.dataset.pipeline:
            if step['type'] == 'Resize':
                step['scale'] = (SIZE, SIZE)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=3, val_interval=1)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.log_processor = dict(by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100,
                                        by_epoch=False, save_best='audit/combined',
                                        rule='greater')
    # interval in iterations: the training loop's unit
    cfg.custom_hooks = [dict(type='ShortcutAuditHook', interval=2, max_images=6,
                             blend='hard')]
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    return cfg


def test_keys_reach_the_log_and_save_best(data_root, tmp_path, monkeypatch):
    calls = []
    audit = ShortcutAuditHook.audit

    def counted(self, runner):
        calls.append(runner.iter)
        return audit(self, runner)

    monkeypatch.setattr(ShortcutAuditHook, 'audit', counted)
    runner = Runner.from_cfg(_cfg(data_root, str(tmp_path)))
    names = [type(h).__name__ for h in runner.hooks]
    assert names.index('ShortcutAuditHook') < names.index('RuntimeInfoHook')
    runner.train()
    # validations after iterations 1, 2, 3: audited at the first, carried at
    # the second (1 < interval 2), audited at the end of training
    assert calls == [1, 3]
    hub = runner.message_hub
    for key in AUDIT_KEYS:
        history = hub.get_scalar(f'val/audit/{key}').data[0]
        assert len(history) == 3
    combined = hub.get_scalar('val/audit/combined').data[0]
    assert combined[1] == combined[0]  # carried
    assert 0.0 <= combined[2] <= 1.0
    assert glob.glob(osp.join(str(tmp_path), 'best_audit_combined_iter_*.pth'))
    log = open(glob.glob(osp.join(str(tmp_path), '*', '*.log'))[0]).read()
    assert 'audit/sufficiency:' in log and 'shortcut audit: audit/necessity=' in log
    # a plain validation (no training loop) audits at once
    metrics = runner.val()
    assert set(f'audit/{k}' for k in AUDIT_KEYS) <= set(metrics)
    assert calls == [1, 3, 3]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='interval=0'):
        HOOKS.build(dict(type='ShortcutAuditHook', interval=0))
    with pytest.raises(TypeError, match='with_maps'):
        HOOKS.build(dict(type='ShortcutAuditHook', with_maps=True))
    with pytest.raises(ValueError, match='blend'):
        HOOKS.build(dict(type='ShortcutAuditHook', blend='glue'))
