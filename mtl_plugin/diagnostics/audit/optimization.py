"""Audit of the optimisation settings: learning rate and weight decay per
optimizer family, batch size (and BatchNorm with batch 1), the
``auto_scale_lr`` base batch, schedulers that never run, a missing
evaluator."""
from typing import Dict, List

from mmengine.config import Config

from ..config_inspect import type_name, walk_dicts
from ..findings import Report


def _norm_types(model: Dict) -> List[str]:
    return [str(d.get('type')) for p, d in walk_dicts(model, 'model')
            if p.endswith('norm_cfg') and 'type' in d]


def check_optimization(cfg: Config, report: Report) -> None:
    optim_wrapper = cfg.get('optim_wrapper') or {}
    optim = optim_wrapper.get('optimizer') or {}
    loader = cfg.get('train_dataloader') or {}
    bs = loader.get('batch_size')
    opt_type = type_name(optim) if optim else ''
    lr = optim.get('lr')
    wd = optim.get('weight_decay', 0) or 0
    if optim:
        adam = opt_type.lower().startswith(('adam', 'lamb', 'lion'))
        if lr is None:
            report.error('lr', f'optim_wrapper.optimizer ({opt_type}) sets no lr')
        elif lr <= 0:
            report.error('lr', f'optim_wrapper.optimizer.lr={lr}: must be > 0')
        elif adam and lr > 1e-2:
            report.warning('lr', f'{opt_type} lr={lr} is large for an adaptive '
                           'optimizer (usual range 1e-5 .. 1e-3)')
        elif not adam and opt_type == 'SGD' and lr > 0.5:
            report.warning('lr', f'SGD lr={lr} is large (mmdet/mmseg use 0.01-0.02 '
                           'for batch 16)')
        elif lr < 1e-6:
            report.warning('lr', f'{opt_type} lr={lr} is so small that training '
                           'barely moves the weights')
        if wd < 0:
            report.error('weight_decay', f'weight_decay={wd} < 0')
        elif opt_type == 'SGD' and wd > 1e-2:
            report.warning('weight_decay', f'SGD weight_decay={wd} is large '
                           '(usual 1e-4 .. 5e-4)')
        elif opt_type == 'AdamW' and wd > 0.5:
            report.warning('weight_decay', f'AdamW weight_decay={wd} is large '
                           '(usual 0.01 .. 0.1)')
        elif opt_type == 'Adam' and wd > 0:
            report.info('weight_decay', f'Adam with weight_decay={wd} applies L2 '
                        'through the adaptive step; AdamW decouples it')
        report.info('optimizer', f'{opt_type} lr={lr} weight_decay={wd}, '
                    f'batch_size={bs} per GPU')
    if bs is not None and bs < 1:
        report.error('batch size', f'train_dataloader.batch_size={bs}')
    elif bs == 1 and any('BN' in t and 'GN' not in t
                         for t in _norm_types(cfg.get('model') or {})):
        report.warning('batch size', 'train_dataloader.batch_size=1 with '
                       'BatchNorm layers: batch statistics of one image are noisy')
    scale = cfg.get('auto_scale_lr')
    if scale is None:
        report.info('auto_scale_lr', 'not set: the lr is used as written for any '
                    'number of GPUs')
    elif bs:
        base = scale.get('base_batch_size')
        enabled = scale.get('enable', False)
        if not base:
            report.error('auto_scale_lr', 'auto_scale_lr has no base_batch_size')
        else:
            report.info('auto_scale_lr', f'base_batch_size={base}, enable={enabled}'
                        f': on 1 GPU x {bs} the lr {"becomes" if enabled else "would be"}'
                        f' {lr} x {bs}/{base} = {lr * bs / base if lr else "?"}'
                        f' ({base // bs if base % bs == 0 else "no whole number of"}'
                        ' GPUs reproduce the base batch)')
            if base % bs:
                report.warning('auto_scale_lr', f'base_batch_size={base} is not a '
                               f'multiple of the per-GPU batch {bs}')
    train_cfg = cfg.get('train_cfg') or {}
    max_len = train_cfg.get('max_iters') or train_cfg.get('max_epochs')
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for i, s in enumerate(schedulers):
        if max_len and isinstance(s.get('begin'), int) and s['begin'] >= max_len:
            report.warning('param_scheduler', f'param_scheduler.{i} '
                           f'({type_name(s)}) begins at {s["begin"]} >= training '
                           f'length {max_len}: it never runs')
    if cfg.get('val_dataloader') and cfg.get('val_cfg') and not cfg.get(
            'val_evaluator'):
        report.error('evaluator', 'val_dataloader and val_cfg are set but '
                     'val_evaluator is missing')
