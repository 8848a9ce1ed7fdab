"""The 3-task 32x32 study: is orientation (B, 32 classes) learned above chance?

    python benchmarks/multitask_study.py [--epochs 12] [--num-train 4000]
        [--num-val 1000] [--variants grid gap] [--data-root data/orientation_study]
        [--work-dir work_dirs/bench_study]

Generates the study data when missing, trains study-3task_tinycnn_20e_orientation-study.py (heads
pool to a 4x4 grid, ``grid``) and study-3task-gap_tinycnn_20e_orientation-study.py (global average
pooling, ``gap``) with the same schedule, then runs
tools/analysis/task_diagnostics.py on each final checkpoint (confusion PNG
of B, conditional accuracy, entropies, counts, linear probes, per-class
sample grids under ``<work-dir>/<variant>/diagnostics``) and prints a table:
accuracy of A and B vs chance, MAE of C vs the MAE of predicting the mean,
B's accuracy given A right, B's linear-probe accuracy on the frozen
backbone (flattened map and global average).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

from repo_paths import REPO_ROOT

CONFIGS = dict(grid='study-3task_tinycnn_20e_orientation-study.py',
               gap='study-3task-gap_tinycnn_20e_orientation-study.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='3-task study benchmark')
    p.add_argument('--data-root', default='data/orientation_study')
    p.add_argument('--num-train', type=int, default=4000)
    p.add_argument('--num-val', type=int, default=1000)
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--workers', type=int, default=0,
                   help='dataloader workers (0: load in the main process)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch CPU threads; on a shared 2-core machine more '
                   'threads than free cores made training ~15x slower')
    p.add_argument('--variants', nargs='+', default=['grid', 'gap'],
                   choices=list(CONFIGS))
    p.add_argument('--work-dir', default='work_dirs/bench_study')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--reuse-checkpoints', action='store_true',
                   help='skip training where <work-dir>/<variant>/'
                   'epoch_<epochs>.pth exists (train_s is then unknown)')
    return p.parse_args(argv)


def train(variant: str, args) -> dict:
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/multitask', CONFIGS[variant]))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = osp.abspath(args.data_root) + '/'
        cfg[loader].num_workers = args.workers
        cfg[loader].persistent_workers = args.workers > 0
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=args.epochs,
                         val_interval=args.epochs)
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True,
                                T_max=args.epochs, eta_min=1e-5)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=args.epochs)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.work_dir = osp.join(args.work_dir, variant)
    cfg.randomness = dict(seed=args.seed)
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    seconds = time.perf_counter() - start
    return dict(config=CONFIGS[variant], train_s=seconds,
                checkpoint=osp.join(cfg.work_dir, f'epoch_{args.epochs}.pth'))


def main(argv=None):
    args = parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    import mtl_plugin  # noqa: F401
    from mtl_plugin.datasets.synthetic.orientation_study import generate_orientation_study
    if not osp.isfile(osp.join(args.data_root, 'annotations/val.json')):
        generate_orientation_study(args.data_root, args.num_train,
                                   args.num_val, seed=args.seed)
    os.makedirs(args.work_dir, exist_ok=True)
    results = {}
    for variant in args.variants:
        print(f'\n=== {variant}: {CONFIGS[variant]}', flush=True)
        ckpt = osp.join(args.work_dir, variant, f'epoch_{args.epochs}.pth')
        if args.reuse_checkpoints and osp.isfile(ckpt):
            run = dict(config=CONFIGS[variant], train_s=float('nan'),
                       checkpoint=ckpt)
        else:
            run = train(variant, args)
        out_dir = osp.join(args.work_dir, variant, 'diagnostics')
        subprocess.run([
            sys.executable, osp.join(REPO_ROOT, 'tools/analysis/task_diagnostics.py'),
            osp.join(REPO_ROOT, 'configs/multitask', CONFIGS[variant]),
            run['checkpoint'], '--out-dir', out_dir, '--cfg-options',
            f'test_dataloader.dataset.data_root={osp.abspath(args.data_root)}/',
            f'test_dataloader.num_workers={args.workers}',
            f'test_dataloader.persistent_workers={args.workers > 0}',
            # the linear probes are fitted on the train split
            f'train_dataloader.dataset.data_root={osp.abspath(args.data_root)}/',
            f'train_dataloader.num_workers={args.workers}',
            f'train_dataloader.persistent_workers={args.workers > 0}'
        ], check=True, cwd=REPO_ROOT)
        with open(osp.join(out_dir, 'report.json')) as f:
            run['report'] = json.load(f)
        results[variant] = run
        with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
            json.dump(results, f, indent=2)
    print('\n| heads | A shape acc (chance .10) | B orientation acc (chance '
          '.031) | B acc given A right | B pred. entropy (max 3.47) | '
          'C intensity MAE (mean-pred. MAE) | B probe, flat map | '
          'B probe, GAP | train s |')
    print('|---|---|---|---|---|---|---|---|---|')
    for variant, r in results.items():
        rep = r['report']
        print(f'| {variant} | {rep["shape/accuracy"]:.3f} | '
              f'{rep["orientation/accuracy"]:.3f} | '
              f'{rep["orientation/accuracy_given_shape_correct"]:.3f} | '
              f'{rep["orientation/pred_entropy"]:.2f} | '
              f'{rep["intensity/mae"]:.3f} ({rep["intensity/mae_of_mean"]:.3f}) | '
              f'{rep["orientation/probe_flat_accuracy"]:.3f} | '
              f'{rep["orientation/probe_gap_accuracy"]:.3f} | '
              f'{r["train_s"]:.0f} |')


if __name__ == '__main__':
    main()
