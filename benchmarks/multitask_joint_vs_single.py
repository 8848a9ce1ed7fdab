"""Joint multi-task model vs the three single-task models (same schedule).

    python benchmarks/multitask_joint_vs_single.py [--epochs 8]
        [--num-train 400] [--num-val 100]
        [--balancers fixed cls_stopgrad uncertainty dwa pcgrad]
        [--data-root data/synthetic_multitask] [--work-dir work_dirs/bench_multitask]
        [--singles-from work_dirs/bench_multitask/results.json]

Generates the synthetic scenes when ``--data-root`` holds none, trains the
joint model (one run per balancer) and the seg-only, det-only and cls-only
models from configs/multitask/ with the same schedule, evaluates each on the
val split and prints a table plus the issue's targets:

* joint classification accuracy >= 0.70;
* joint det mAP and seg mIoU within 10 % of the single-task models;
* joint training images/s >= 1.5x the sum of the three single-task runs
  (i.e. the time of the three single runs / the time of the joint run).

Training throughput counts data loading (the whole train loop, no
validation inside it). Results also go to ``<work-dir>/results.json``.
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np
from mmengine.config import DictAction

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(
    fixed='multitask_mnv3_fpn_fixed.py',
    uncertainty='multitask_mnv3_fpn_uncertainty.py',
    dwa='multitask_mnv3_fpn_dwa.py',
    pcgrad='multitask_mnv3_fpn_pcgrad.py',
    cls_stopgrad='multitask_mnv3_fpn_cls_stopgrad.py',
    seg='single_mnv3_fpn_seg.py',
    det='single_mnv3_fpn_det.py',
    cls='single_mnv3_fpn_cls.py',
)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='joint vs single-task benchmark')
    p.add_argument('--data-root', default='data/synthetic_multitask')
    p.add_argument('--num-train', type=int, default=400)
    p.add_argument('--num-val', type=int, default=100)
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--workers', type=int, default=0,
                   help='dataloader workers (0: load in the main process)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch CPU threads; on a shared 2-core machine more '
                   'threads than free cores made training ~15x slower')
    p.add_argument('--balancers', nargs='+', default=['fixed'],
                   choices=['fixed', 'cls_stopgrad', 'uncertainty', 'dwa',
                            'pcgrad'],
                   help='joint configs to run (cls_stopgrad: fixed weights, '
                   'the classification head on detached shared features)')
    p.add_argument('--work-dir', default='work_dirs/bench_multitask')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--joint-cfg-options', nargs='+', action=DictAction,
                   default={}, help='config overrides for the joint runs '
                   'only, e.g. model.balancer.weights.det=3.0')
    p.add_argument('--singles-from',
                   help='results.json of an earlier run whose seg/det/cls '
                   'single-task results are reused instead of retrained')
    return p.parse_args(argv)


def run_one(name: str, args) -> dict:
    """Train + validate one config; return timing and metrics."""
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(REPO, 'configs/multitask', CONFIGS[name]))
    root = osp.abspath(args.data_root) + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
        cfg[loader].num_workers = args.workers
        cfg[loader].persistent_workers = args.workers > 0
        cfg[loader].batch_size = args.batch_size
    evals = cfg.val_evaluator if isinstance(cfg.val_evaluator, list) else [cfg.val_evaluator]
    for e in evals:
        if e.type == 'CocoMetric':
            e.ann_file = osp.join(root, 'annotations/val.json')
    # Same schedule for every run; no validation inside the timed loop.
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=args.epochs,
                         val_begin=args.epochs + 1)
    iters_per_epoch = args.num_train // args.batch_size
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=min(50, iters_per_epoch)),
        dict(type='CosineAnnealingLR', by_epoch=True, T_max=args.epochs,
             eta_min=1e-5)]
    if name == 'dwa':
        cfg.model.balancer.period = iters_per_epoch
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1,
                                        save_last=False)
    cfg.default_hooks.logger.interval = 25
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.work_dir = osp.join(args.work_dir, name)
    cfg.randomness = dict(seed=args.seed)
    if name not in ('seg', 'det', 'cls'):
        cfg.merge_from_dict(args.joint_cfg_options)
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_s = time.perf_counter() - start
    images = len(runner.train_dataloader.dataset) * args.epochs
    metrics = runner.val_loop.run()
    out = dict(config=CONFIGS[name], train_s=train_s, images=images,
               img_per_s=images / train_s,
               threads=torch.get_num_threads(),
               metrics={k: float(v) for k, v in metrics.items()
                        if np.ndim(v) == 0})
    if hasattr(runner.model, 'balancer'):
        out['final_weights'] = {
            k.split('/', 1)[1]: float(v.current())
            for k, v in runner.message_hub.log_scalars.items()
            if k.startswith('train/weight_')}
    return out


def main(argv=None):
    args = parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    import mtl_plugin  # noqa: F401
    from mtl_plugin.datasets.synthetic.multitask_scenes import \
        generate_multitask_dataset
    if not osp.isfile(osp.join(args.data_root, 'annotations/val.json')):
        generate_multitask_dataset(args.data_root, args.num_train,
                                   args.num_val, size=64, seed=args.seed)
    os.makedirs(args.work_dir, exist_ok=True)
    results = {}
    singles = ['seg', 'det', 'cls']
    if args.singles_from:
        with open(args.singles_from) as f:
            earlier = json.load(f)
        results.update({t: dict(earlier[t], reused_from=args.singles_from)
                        for t in singles})
        singles = []
    for name in args.balancers + singles:
        print(f'\n=== {name}: {CONFIGS[name]}', flush=True)
        results[name] = run_one(name, args)
        with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
            json.dump(results, f, indent=2)

    single = dict(seg=results['seg']['metrics'].get('seg/mIoU'),
                  det=results['det']['metrics'].get('det/bbox_mAP'),
                  cls=results['cls']['metrics'].get('cls/top1'))
    single_time = sum(results[t]['train_s'] for t in ('seg', 'det', 'cls'))
    print('\n| run | train s | img/s | cls acc | det mAP | seg mIoU |')
    print('|---|---|---|---|---|---|')
    for name, r in results.items():
        m = r['metrics']
        cells = [m.get('cls/top1'), m.get('det/bbox_mAP'),
                 m.get('seg/mIoU')]
        shown = ['-' if c is None else f'{c:.3f}' if c <= 1 else f'{c:.2f}'
                 for c in cells]
        print(f'| {name} | {r["train_s"]:.0f} | {r["img_per_s"]:.1f} | '
              + ' | '.join(shown) + ' |')
    print('\nTargets (joint vs single, same schedule):')
    summary = {}
    for name in args.balancers:
        m = results[name]['metrics']
        # mmpretrain reports accuracy in percent, mmseg mIoU in percent.
        acc = m['cls/top1'] / 100
        det_rel = m['det/bbox_mAP'] / max(single['det'], 1e-9)
        seg_rel = m['seg/mIoU'] / max(single['seg'], 1e-9)
        speed = single_time / results[name]['train_s']
        checks = dict(cls_acc=(acc, acc >= 0.70),
                      det_map_rel=(det_rel, det_rel >= 0.90),
                      seg_miou_rel=(seg_rel, seg_rel >= 0.90),
                      speedup=(speed, speed >= 1.5))
        summary[name] = {k: dict(value=v, met=bool(ok))
                         for k, (v, ok) in checks.items()}
        print(f'  {name}: ' + ', '.join(
            f'{k}={v:.3f} ({"met" if ok else "MISSED"})'
            for k, (v, ok) in checks.items()))
    results['summary'] = summary
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
