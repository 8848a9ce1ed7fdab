"""Shared helpers of the GAIN config tests: tiny synthetic data and one
train + val run of a config through mmengine's Runner."""
import importlib.util
import os.path as osp
from typing import Dict

from mmengine.config import Config
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64


def make_defect_data(root: str) -> str:
    """20 train / 4 test images of 64 px in the KolektorSDD2 layout."""
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    generate_defect_dataset(
        MetalDefectGeneratorConfig(height=SIZE, width=SIZE, num_train=20,
                                   num_test=4, seed=0), root, progress=False)
    return root


def _tiny_overrides():
    # One rule for the tiny backbone, the benchmark's (the demo's CPU model,
    # configs/gain/demo.py).
    path = osp.join(REPO, 'benchmarks', 'gain_strategies.py')
    spec = importlib.util.spec_from_file_location('gain_strategies_bench', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tiny_overrides


def swap_in_tiny_backbone(cfg: Config) -> None:
    """Replace the backbone by the demo's MobileNetV3-Small (GAINMTL fills
    the channels of what reads it) and the head widths by the demo's."""
    cfg.merge_from_dict(dict(model=_tiny_overrides()(cfg.model)))


def tiny_cfg(name: str, data_root: str, work_dir: str,
             tiny_backbone: bool = True) -> Config:
    """The shipped config with only sizes changed: data root, 64 px inputs,
    batch 2, no workers, two training iterations, no weight download and
    (``tiny_backbone``) MobileNetV3-Small instead of EfficientNetV2-S."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'gain', f'{name}.py'))
    cfg.work_dir = work_dir
    cfg.model.backbone.pop('init_cfg', None)
    if tiny_backbone:
        swap_in_tiny_backbone(cfg)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dl = cfg[loader]
        dl.batch_size = 2
        dl.num_workers = 0
        dl.persistent_workers = False
        dl.dataset.data_root = data_root
        for step in dl.dataset.pipeline:
            if step['type'] == 'Resize':
                step['scale'] = (SIZE, SIZE)
    cfg.train_dataloader.dataset.indices = 4
    cfg.val_dataloader.dataset.indices = 2
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=100)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0,
                                by_epoch=False)]
    cfg.default_hooks.checkpoint = None
    cfg.log_processor = dict(by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    return cfg


def train_and_val(cfg: Config) -> Dict:
    """Run two training iterations and one validation pass.

    Returns the training scalars of the last iteration (``train/<key>``
    -> float) and the validation metrics.
    """
    runner = Runner.from_cfg(cfg)
    runner.train()
    scalars = {k: v.current()
               for k, v in runner.message_hub.log_scalars.items()
               if k.startswith('train/')}
    metrics = runner.val_loop.run()
    return dict(scalars=scalars, metrics=metrics, model=runner.model)
