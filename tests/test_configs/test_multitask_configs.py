"""Every configs/multitask config builds and runs a train and a val iteration
on tiny generated data (mmengine Runner), with prefixed, distinct metric keys."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mtl_plugin  # noqa: F401
from mtl_plugin.datasets.synthetic.multitask_scenes import generate_multitask_dataset
from mtl_plugin.datasets.synthetic.orientation_study import generate_orientation_study

from mtl_test_utils import REPO

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs/multitask/*.py')))


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """One torch thread: on the shared 2-core machine more threads than free
    cores slowed these runs ~15x."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope='module')
def roots(tmp_path_factory):
    mt = str(tmp_path_factory.mktemp('mt'))
    generate_multitask_dataset(mt, num_train=4, num_val=2, size=64, seed=0)
    st = str(tmp_path_factory.mktemp('st'))
    generate_orientation_study(st, num_train=8, num_val=4, seed=0)
    return dict(mt=mt, st=st)


def _tiny(cfg, roots, work_dir):
    study = cfg.model.type == 'MultiTaskStudyNet'
    root = roots['st'] if study else roots['mt']
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        loader.dataset.data_root = root
        loader.batch_size = 2
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.pop('batch_sampler', None)
        if name == 'train_dataloader':
            loader.dataset.indices = 2 if study else None
    if not study:
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            for t in cfg[loader].dataset.pipeline:
                if t.type == 'Resize':
                    t.scale = (64, 64)
        evals = cfg.val_evaluator
        for e in evals if isinstance(evals, list) else [evals]:
            if e.type == 'CocoMetric':
                e.ann_file = osp.join(root, 'annotations/val.json')
        cfg.test_evaluator = cfg.val_evaluator
        if cfg.model.get('det_head'):
            # an untrained head scores below 0.05; CocoMetric then reports
            # no keys at all, so keep every box to check the key plumbing
            cfg.model.det_head.test_cfg.score_thr = 0.0
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.param_scheduler = []
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000)
    cfg.log_processor = dict(type='LogProcessor', window_size=1, by_epoch=False)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.work_dir = work_dir
    return cfg


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_trains_and_validates(path, roots, tmp_path):
    torch.manual_seed(0)
    cfg = _tiny(Config.fromfile(path), roots, str(tmp_path))
    runner = Runner.from_cfg(cfg)
    runner.train()
    logs = runner.message_hub.log_scalars
    weights = [k for k in logs if k.startswith('train/weight_')]
    assert weights, 'task weights must be logged'
    metrics = runner.val_loop.run()
    name = osp.basename(path)
    if name.startswith('study'):
        assert {'study/shape/accuracy', 'study/orientation/accuracy',
                'study/intensity/mae'} <= set(metrics)
    else:
        prefixes = {k.split('/')[0] for k in metrics}
        expected = {'multitask': {'det', 'seg', 'cls'}, 'single': None}
        if name.startswith('multitask'):
            assert prefixes == expected['multitask']
            assert 'det/bbox_mAP' in metrics and 'seg/mIoU' in metrics
            assert 'cls/top1' in metrics and 'cls/f1-score' in metrics
        else:
            task = name[:-3].split('-')[-1]  # single-<task>.py
            assert prefixes == {task}
    assert len(set(metrics)) == len(metrics)


def test_per_task_learning_rates_through_paramwise_cfg(roots, tmp_path):
    path = osp.join(REPO, 'configs/multitask/multitask-uncertainty.py')
    cfg = _tiny(Config.fromfile(path), roots, str(tmp_path))
    cfg.optim_wrapper.paramwise_cfg.custom_keys['det_head'] = dict(lr_mult=0.1)
    runner = Runner.from_cfg(cfg)
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)
    model = runner.model
    det_ids = {id(p) for p in model.det_head.parameters()}
    base_lr = cfg.optim_wrapper.optimizer.lr
    for group in optim.optimizer.param_groups:
        pid = id(group['params'][0])
        if pid in det_ids:
            assert group['lr'] == pytest.approx(base_lr * 0.1)
        elif pid == id(model.balancer.log_vars['seg']):
            assert group['weight_decay'] == 0.0
    assert optim.clip_grad_kwargs['max_norm'] == 10


def test_show_dir_writes_multitask_panels(roots, tmp_path):
    """What tools/test.py --show-dir does (draw=True, test_out_dir) on the
    joint config: one PNG per test image with GT | prediction panels."""
    from argparse import Namespace

    from mtl_plugin.apis.run_setup import setup_test_cfg
    path = osp.join(REPO, 'configs/multitask/multitask-fixed.py')
    show = tmp_path / 'vis'
    args = Namespace(
        config=path, checkpoint=None, allow_new_keys=False,
        cfg_options={'test_dataloader.dataset.data_root': roots['mt']},
        work_dir=str(tmp_path / 'wd'), out=None, show_dir=str(show),
        launcher='none', amp=False)
    cfg = setup_test_cfg(args)
    cfg = _tiny(cfg, roots, str(tmp_path / 'wd'))
    assert cfg.default_hooks.visualization.draw is True
    runner = Runner.from_cfg(cfg)
    runner.test()
    pngs = sorted(show.glob('*.png'))
    assert len(pngs) == 2  # the two val images
    import cv2
    img = cv2.imread(str(pngs[0]))
    assert img.shape[1] == 2 * img.shape[0]  # GT | prediction, 64x64 each
