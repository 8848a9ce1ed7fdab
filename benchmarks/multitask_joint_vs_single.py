"""Joint multi-task models vs the three single-task models, over seeds.

    python benchmarks/multitask_joint_vs_single.py [--epochs 8] [--seeds 0 1 2]
        [--joints fixed cls_stopgrad gradnorm imtlg ...]
        [--num-train 400] [--num-val 100] [--repeat [--repeat-epochs 1]]
        [--data-root data/synthetic_multitask] [--work-dir work_dirs/bench_multitask]
        [--singles-from work_dirs/bench_multitask/results.json]

Generates the synthetic scenes when ``--data-root`` holds none (always with
``--data-seed``, so every seed trains on the same data), then trains every
joint config of ``--joints`` and the seg-only, det-only and cls-only models
from configs/multitask/ with the same schedule, once per seed of
``--seeds`` (model initialisation and data order), evaluates each on the
val split and prints, per configuration, the mean, min-max and standard
deviation over the seeds, then the targets of every joint configuration,
each judged on the means:

* classification accuracy >= 0.90;
* det mAP >= the det-only model's, seg mIoU >= the seg-only model's;
* training >= 2x faster than the three single-task runs together
  (mean time of seg + det + cls only / mean time of the joint run);

with, for each, whether the spread over the seeds crosses the line (a met
target whose worst seed misses it, or a missed one whose best seed meets
it).

Runs use ``randomness=dict(seed=s, deterministic=True)`` (mmengine then
calls ``torch.use_deterministic_algorithms(True)``) and load data in the
main process. ``--repeat`` first trains the first joint config twice with the
first seed (``--repeat-epochs`` epochs) and reports the largest metric
difference between the two runs, which measures what stays
nondeterministic. Training time counts
data loading (the whole train loop, no validation inside it) and is noisy
on a shared machine. Results go to ``<work-dir>/results.json``.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List

import numpy as np
from mmengine.config import DictAction

from repo_paths import REPO_ROOT

CONFIGS = dict(
    fixed='multitask-fixed.py',
    uncertainty='multitask-uncertainty.py',
    dwa='multitask-dwa.py',
    pcgrad='multitask-pcgrad.py',
    cls_stopgrad='multitask-cls-stopgrad.py',
    gradnorm='multitask-gradnorm.py',
    imtlg='multitask-imtlg.py',
    adapters='multitask-adapters.py',
    imtlg_adapters='multitask-imtlg-adapters.py',
    seg='single-seg.py',
    det='single-det.py',
    cls='single-cls.py',
)
SINGLES = ('seg', 'det', 'cls')
JOINTS = [k for k in CONFIGS if k not in SINGLES]
# metric key -> (task, scale to a fraction): mmpretrain and mmseg report
# percent, CocoMetric a fraction.
METRICS = {'cls/top1': ('cls', 0.01), 'det/bbox_mAP': ('det', 1.0),
           'seg/mIoU': ('seg', 0.01)}
MIN_CLS_ACC = 0.90
MIN_SPEEDUP = 2.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='joint vs single-task benchmark')
    p.add_argument('--data-root', default='data/synthetic_multitask')
    p.add_argument('--num-train', type=int, default=400)
    p.add_argument('--num-val', type=int, default=100)
    p.add_argument('--data-seed', type=int, default=0,
                   help='seed of the generated scenes (same for every run)')
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--workers', type=int, default=0,
                   help='dataloader workers (0: load in the main process)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch CPU threads; on a shared 2-core machine more '
                   'threads than free cores made training ~15x slower')
    p.add_argument('--joints', nargs='+', default=['fixed'], choices=JOINTS,
                   help='joint configs to run (cls_stopgrad: fixed weights, '
                   'the classification head on detached shared features)')
    p.add_argument('--seeds', nargs='+', type=int, default=[0])
    p.add_argument('--repeat', action='store_true',
                   help='first train the first joint config twice with the '
                   'first seed and report the metric differences')
    p.add_argument('--repeat-epochs', type=int,
                   help='epochs of the two --repeat runs (default --epochs)')
    p.add_argument('--work-dir', default='work_dirs/bench_multitask')
    p.add_argument('--joint-cfg-options', nargs='+', action=DictAction,
                   default={}, help='config overrides for the joint runs '
                   'only, e.g. model.balancer.weights.det=3.0')
    p.add_argument('--singles-from',
                   help='results.json of an earlier run whose seg/det/cls '
                   'single-task runs (same seeds) are reused')
    return p.parse_args(argv)


def run_one(name: str, seed: int, args, tag: str = '') -> dict:
    """Train + validate one config with one seed; return time and metrics."""
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/multitask', CONFIGS[name]))
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
    cfg.work_dir = osp.join(args.work_dir, f'{name}_seed{seed}{tag}')
    cfg.randomness = dict(seed=seed, deterministic=True)
    if name not in SINGLES:
        cfg.merge_from_dict(args.joint_cfg_options)
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_s = time.perf_counter() - start
    images = len(runner.train_dataloader.dataset) * args.epochs
    metrics = runner.val_loop.run()
    out = dict(config=CONFIGS[name], seed=seed, train_s=train_s,
               images=images, img_per_s=images / train_s,
               threads=torch.get_num_threads(),
               metrics={k: float(v) for k, v in metrics.items()
                        if np.ndim(v) == 0})
    if hasattr(runner.model, 'balancer'):
        out['final_weights'] = {
            k.split('/', 1)[1]: float(v.current())
            for k, v in runner.message_hub.log_scalars.items()
            if k.startswith(('train/weight_', 'train/alpha_'))}
    return out


def repeat_check(args) -> dict:
    """Train the first joint config twice with the first seed for
    ``--repeat-epochs`` epochs; the largest metric difference measures
    what stays nondeterministic."""
    name, seed = args.joints[0], args.seeds[0]
    short = argparse.Namespace(**dict(
        vars(args), epochs=args.repeat_epochs or args.epochs))
    runs = []
    for tag in ('_repeat_a', '_repeat_b'):
        print(f'\n=== repeat {name} seed {seed} ({short.epochs} epochs)',
              flush=True)
        runs.append(run_one(name, seed, short, tag=tag))
    diffs = {k: abs(v - runs[1]['metrics'][k])
             for k, v in runs[0]['metrics'].items()}
    return dict(config=name, seed=seed, epochs=short.epochs,
                metrics=[r['metrics'] for r in runs],
                max_abs_metric_diff=max(diffs.values()),
                identical=all(d == 0 for d in diffs.values()))


def spread(values: List[float]) -> Dict[str, float]:
    """Mean, min, max and population std of one metric over the seeds."""
    v = np.asarray(values, dtype=float)
    return dict(mean=float(v.mean()), min=float(v.min()), max=float(v.max()),
                std=float(v.std()), n=int(v.size))


def aggregate(runs: Dict[str, dict]) -> Dict[str, Dict[str, dict]]:
    """``{seed: run}`` of one config -> ``{quantity: spread}`` (fractions)."""
    out = dict(train_s=spread([r['train_s'] for r in runs.values()]))
    for key, (task, scale) in METRICS.items():
        values = [r['metrics'][key] * scale for r in runs.values()
                  if key in r['metrics']]
        if values:
            out[task] = spread(values)
    return out


def judge(value: Dict[str, float], line: float) -> dict:
    """Target ``value >= line`` on the mean; does the spread over seeds cross it?"""
    met = value['mean'] >= line
    crosses = value['min'] < line if met else value['max'] >= line
    return dict(mean=value['mean'], min=value['min'], max=value['max'],
                line=line, met=bool(met), spread_crosses=bool(crosses))


def targets(joint: dict, singles: Dict[str, dict]) -> Dict[str, dict]:
    """The joint-vs-single targets of one joint config (see module doc)."""
    single_s = sum(singles[t]['train_s']['mean'] for t in SINGLES)
    t = joint['train_s']
    # speed-up of each seed's joint time against the mean single-run total
    speed = dict(mean=single_s / t['mean'], min=single_s / t['max'],
                 max=single_s / t['min'])
    return dict(cls=judge(joint['cls'], MIN_CLS_ACC),
                det=judge(joint['det'], singles['det']['det']['mean']),
                seg=judge(joint['seg'], singles['seg']['seg']['mean']),
                speedup=judge(speed, MIN_SPEEDUP))


def _cell(s: dict) -> str:
    return f'{s["mean"]:.3f} [{s["min"]:.3f}-{s["max"]:.3f}] +-{s["std"]:.3f}'


def print_tables(summary: dict) -> None:
    print('\nmean [min-max] +-std over seeds; cls and seg as fractions')
    print('| run | seeds | train s | cls acc | det mAP | seg mIoU |')
    print('|---|---|---|---|---|---|')
    for name, agg in summary['aggregate'].items():
        cells = [_cell(agg[t]) if t in agg else '-' for t in SINGLES[::-1]]
        print(f'| {name} | {agg["train_s"]["n"]} | '
              f'{agg["train_s"]["mean"]:.0f} | ' + ' | '.join(cells) + ' |')
    print('\nTargets on the means (joint vs single, same schedule and seeds):')
    for name, checks in summary.get('targets', {}).items():
        parts = []
        for key, c in checks.items():
            verdict = 'met' if c['met'] else 'MISSED'
            if c['spread_crosses']:
                verdict += ', spread crosses'
            parts.append(f'{key}={c["mean"]:.3f} vs {c["line"]:.3f} ({verdict})')
        print(f'  {name}: ' + '; '.join(parts))
    if 'repeat' in summary:
        r = summary['repeat']
        print(f'\nRepeat of {r["config"]} seed {r["seed"]} ({r["epochs"]} '
              f'epochs): largest metric difference {r["max_abs_metric_diff"]:.6g} '
              f'({"identical" if r["identical"] else "differs"})')


def main(argv=None):
    args = parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    import mtl_plugin  # noqa: F401
    from mtl_plugin.datasets.synthetic.multitask_scenes import generate_multitask_dataset
    if not osp.isfile(osp.join(args.data_root, 'annotations/val.json')):
        generate_multitask_dataset(args.data_root, args.num_train,
                                   args.num_val, size=64, seed=args.data_seed)
    os.makedirs(args.work_dir, exist_ok=True)
    results: Dict[str, Dict[str, dict]] = {}
    names = list(SINGLES) + list(args.joints)
    if args.singles_from:
        with open(args.singles_from) as f:
            earlier = json.load(f)['runs']
        for t in SINGLES:
            missing = [s for s in args.seeds if str(s) not in earlier.get(t, {})]
            if missing:
                raise SystemExit(f'{args.singles_from}: no {t} run for seeds '
                                 f'{missing}')
            results[t] = {str(s): dict(earlier[t][str(s)],
                                       reused_from=args.singles_from)
                          for s in args.seeds}
        names = list(args.joints)
    path = osp.join(args.work_dir, 'results.json')
    summary: dict = {}
    if args.repeat:
        summary['repeat'] = repeat_check(args)
    # Seeds outermost: a run cut short still has every config on the
    # seeds it finished.
    for seed in args.seeds:
        for name in names:
            print(f'\n=== {name} seed {seed}: {CONFIGS[name]}', flush=True)
            results.setdefault(name, {})[str(seed)] = run_one(name, seed, args)
            write_results(path, results, summary, args)
    print_tables(summary)


def write_results(path: str, results: dict, summary: dict, args) -> None:
    """Aggregate what has run so far into ``summary``; write results.json."""
    summary['aggregate'] = {n: aggregate(r) for n, r in results.items()}
    if all(t in results for t in SINGLES):
        singles = {t: summary['aggregate'][t] for t in SINGLES}
        summary['targets'] = {n: targets(summary['aggregate'][n], singles)
                              for n in args.joints if n in results}
    with open(path, 'w') as f:
        json.dump(dict(runs=results, summary=summary, args=vars(args)), f,
                  indent=2)


if __name__ == '__main__':
    main()
