"""GAIN-MTL S1..S6 on synthetic defects with a shortcut cue: train, test,
compare, and check the expected shape of the results (issue 3, item 9).

    python benchmarks/gain_strategies.py --out-dir work_dirs/gain_strategies \
        [--strategies s1 s2 s3 s4 s5 s6] [--epochs 20] [--num-train 400] \
        [--num-test 200] [--size 128] [--backbone tiny|config] [--seed 0]

Phases (each prints a ``[gain_strategies]`` progress line):

1. data: ``tools/data/generate_defects.py`` writes the synthetic set (train with
   the corner-stamp cue, cue-free test) to
   ``<out>/data/n<train>-<test>_px<size>_seed<seed>`` unless its
   ``generation_info.json`` already records the same parameters.
2. per strategy: a derived config ``<run>/configs/<sN>.py`` inheriting from
   ``configs/gain/<sN>.py`` (data root, input size and pipelines, epochs with
   the cosine schedule stretched to them, seed, one checkpoint / validation at
   the end; ``--backbone tiny`` adds the MobileNetV3-Small backbone and head
   channels and the learning rate / warm-up of ``configs/gain/demo.py``), then
   ``tools/train.py`` and ``tools/test.py`` on the last checkpoint in
   subprocesses, i.e. exactly the commands a user runs (they are printed).
   ``<run>`` = ``<out>/<backbone>_e<epochs>_n<train>-<test>_px<size>_seed<seed>``,
   so runs with other settings never overwrite each other. A strategy whose
   work dir holds ``metrics.json`` and a ``bench_settings.json`` with the same
   settings is skipped; a finished training (``epoch_<epochs>.pth``) is not
   repeated; an interrupted one resumes (``--resume auto``). Nothing is deleted.
3. ``tools/analysis/compare_strategies.py`` over every strategy finished in
   ``<run>`` (also those of earlier invocations) writes ``<run>/strategies.md``
   and ``<run>/strategies.png``; the table and three checks are printed and saved
   in ``<run>/checks.json``.

Checks (metric keys of ``CAMMetric`` (``cam/``) and ``DefectClsMetric``
(``cls/``), all on the cue-free test split):

* ``cam_iou_2x``: ``cam/iou`` of every strategy after S1 >= 2 x S1's
  ``cam/iou`` (and > 0, so that two zero maps do not pass).
* ``loc_iou_far_above``: ``cam/loc_iou`` (localization head, S4+) of every
  strategy that has it >= ``FAR_FACTOR`` x and >= ``FAR_MARGIN`` above the best
  localization map IoU of S1..S3 (max of their ``cam/iou``, ``cam/attn_iou``
  and ``cam/loc_iou`` where present; S1..S3 have no loc head).
* ``recall_not_below_s1``: ``cls/recall`` (defect class) of every strategy
  after S1 >= S1's ``cls/recall``.

A check whose inputs are missing (e.g. S1 not run) reports SKIP.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
GAIN_CONFIGS = osp.join(REPO, 'configs', 'gain')

# "far above" in the Loc-IoU check: both a ratio and an absolute margin.
FAR_FACTOR = 1.5
FAR_MARGIN = 0.1

# configs/gain/demo.py: MobileNetV3-Small levels 1, 3, 8, 12 (strides 4, 8,
# 16, 32; 16, 24, 48, 576 channels), random init, lr 2e-3, 50-iteration warm-up.
TINY_BACKBONE = dict(type='mmpretrain.MobileNetV3', arch='small',
                     out_indices=(1, 3, 8, 12))
TINY_CLS_IN = 576
TINY_ATTENTION = dict(in_channels=576, mid_channels=64)
TINY_LOC_NECK = dict(in_channels=[16, 24, 48, 576], out_channels=32)
TINY_LR = 2e-3
TINY_WARMUP_ITERS = 50


def log(msg: str) -> None:
    print(f'[gain_strategies] {msg}', flush=True)


# ---------------------------------------------------------------- checks --

def _num(results: Dict[str, Dict[str, float]], name: str, key: str) -> Optional[float]:
    value = results.get(name, {}).get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and value == value:  # not NaN
        return float(value)
    return None


def _judge(res: Dict[str, Dict[str, float]], names: List[str], key: str,
           reference: Optional[float], good) -> tuple:
    """Apply ``good(value)`` to ``key`` of each strategy in ``names``.

    Returns ``(status, detail)``: SKIP when the reference or any value is
    missing or there is nothing to compare, else PASS / FAIL.
    """
    parts, ok, missing = [], True, False
    for name in names:
        v = _num(res, name, key)
        if v is None:
            missing = True
            parts.append(f'{name} n/a')
            continue
        passed = reference is not None and good(v)
        ok &= passed
        parts.append(f'{name} {v:.3f}' + ('' if passed else ' (low)'))
    if reference is None or not names or missing:
        status = 'SKIP'
    else:
        status = 'PASS' if ok else 'FAIL'
    return status, ', '.join(parts) or 'none to compare'


def shape_checks(results: Dict[str, Dict[str, float]]) -> List[Dict]:
    """The three expected-shape checks of issue 3 item 9.

    ``results``: ``{strategy name: flat metrics dict}``; names are matched
    case-insensitively to ``S1``..``S6`` (other names are ignored). Returns one
    dict per check: ``name``, ``status`` ('PASS' | 'FAIL' | 'SKIP'), ``detail``.
    """
    res = {k.upper(): v for k, v in results.items()}
    order = [f'S{i}' for i in range(1, 7) if f'S{i}' in res]
    later = [s for s in order if s != 'S1']

    def fmt(v):
        return 'n/a' if v is None else f'{v:.3f}'

    # 1. S2+ CAM-IoU at least 2x S1's.
    s1_iou = _num(res, 'S1', 'cam/iou')
    status, parts = _judge(res, later, 'cam/iou', s1_iou,
                           lambda v: v >= 2 * s1_iou and v > 0)
    checks = [dict(
        name='cam_iou_2x', status=status,
        detail=f'cam/iou >= 2 x S1 ({fmt(s1_iou)} -> '
        f'{fmt(None if s1_iou is None else 2 * s1_iou)}): {parts}')]

    # 2. S4+ Loc-IoU far above S1-S3 (their best localization map IoU).
    ref_names = [s for s in ('S1', 'S2', 'S3') if s in res]
    refs = [v for s in ref_names
            for v in (_num(res, s, k) for k in ('cam/iou', 'cam/attn_iou', 'cam/loc_iou'))
            if v is not None]
    ref = max(refs) if refs else None
    loc_names = [s for s in order if s in ('S4', 'S5', 'S6')]
    status, parts = _judge(
        res, loc_names, 'cam/loc_iou', ref,
        lambda v: v >= FAR_FACTOR * ref and v - ref >= FAR_MARGIN)
    ref_text = 'n/a' if ref is None else f'{ref:.3f} ({"/".join(ref_names)})'
    checks.append(dict(
        name='loc_iou_far_above', status=status,
        detail=f'cam/loc_iou >= {FAR_FACTOR} x and >= {FAR_MARGIN} above best '
        f'S1-S3 map IoU {ref_text}: {parts}'))

    # 3. Recall on the cue-free test split not below S1's.
    s1_rec = _num(res, 'S1', 'cls/recall')
    status, parts = _judge(res, later, 'cls/recall', s1_rec,
                           lambda v: v >= s1_rec)
    checks.append(dict(
        name='recall_not_below_s1', status=status,
        detail=f'cls/recall >= S1 ({fmt(s1_rec)}): {parts}'))
    return checks


# ---------------------------------------------------------------- configs --

def _model_has(strategy: str, head: str) -> bool:
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(GAIN_CONFIGS, f'{strategy}.py'),
                         import_custom_modules=False)
    return bool(cfg.model.get(head))


def _src(d: Dict) -> str:
    return 'dict(' + ', '.join(f'{k}={v!r}' for k, v in d.items()) + ')'


def derived_config(strategy: str, data_root: str, args) -> str:
    """Text of a config inheriting from configs/gain/<strategy>.py."""
    base = osp.join(GAIN_CONFIGS, f'{strategy}.py')
    lines = [
        f'# Written by benchmarks/gain_strategies.py: {strategy} with the '
        'benchmark settings.',
        f'_base_ = [{base!r}]',
        '',
        f'data_root = {data_root!r}',
        f'img_scale = ({args.size}, {args.size})',
        'train_pipeline = [',
        "    dict(type='LoadImageFromFile'),",
        "    dict(type='LoadDefectMask'),",
        "    dict(type='Resize', scale=img_scale, keep_ratio=False),",
        "    dict(type='RandomFlip', prob=0.5, direction='horizontal'),",
        "    dict(type='PackMultiTaskInputs'),",
        ']',
        'test_pipeline = [',
        "    dict(type='LoadImageFromFile'),",
        "    dict(type='LoadDefectMask'),",
        "    dict(type='Resize', scale=img_scale, keep_ratio=False),",
        "    dict(type='PackMultiTaskInputs'),",
        ']',
    ]
    workers = (f'num_workers={args.num_workers}, '
               f'persistent_workers={args.num_workers > 0}')
    lines += [
        f'{split}_dataloader = dict({workers}, dataset=dict(data_root=data_root, '
        f'pipeline={pipe}_pipeline))'
        for split, pipe in (('train', 'train'), ('val', 'test'), ('test', 'test'))]
    lines += [
        '',
        f'max_epochs = {args.epochs}',
        'train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)',
        f'randomness = dict(seed={args.seed})',
        'default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))',
    ]
    if args.backbone == 'tiny':
        model = [
            'model = dict(',
            f'    backbone={_src(dict(_delete_=True, **TINY_BACKBONE))},',
            f'    cls_head=dict(in_channels={TINY_CLS_IN}),',
        ]
        if _model_has(strategy, 'attention_head'):
            model.append(f'    attention_head={_src(TINY_ATTENTION)},')
        if _model_has(strategy, 'loc_head'):
            model.append(f'    loc_head=dict(neck={_src(TINY_LOC_NECK)}),')
        model.append(')')
        lines += ['', '# configs/gain/demo.py: MobileNetV3-Small, random init.']
        lines += model
        lines += [
            f'optim_wrapper = dict(optimizer=dict(lr={TINY_LR}))',
            'param_scheduler = [',
            "    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, "
            f'end={TINY_WARMUP_ITERS}),',
            "    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,",
            '         eta_min=1e-5, convert_to_iter_based=True)',
            ']',
        ]
    else:
        lines += [
            '# the configured schedule, cosine stretched to max_epochs',
            'param_scheduler = [',
            "    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),",
            "    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,",
            '         eta_min=1e-6, convert_to_iter_based=True)',
            ']',
        ]
    return '\n'.join(lines) + '\n'


# ----------------------------------------------------------------- phases --

def _env() -> dict:
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    return env


def _run(cmd: List[str], log_path: str) -> None:
    log('$ ' + ' '.join(cmd) + f'   (output -> {log_path})')
    start = time.perf_counter()
    with open(log_path, 'a') as f:
        proc = subprocess.run(cmd, cwd=REPO, env=_env(), stdout=f,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'command failed (exit {proc.returncode}), last output '
                         f'of {log_path}:\n{tail}')
    log(f'  done in {time.perf_counter() - start:.1f} s')


def ensure_data(args, data_dir: str) -> None:
    info_path = osp.join(data_dir, 'generation_info.json')
    if osp.isfile(info_path):
        with open(info_path) as f:
            cfg = json.load(f).get('config', {})
        want = dict(num_train=args.num_train, num_test=args.num_test,
                    height=args.size, width=args.size, seed=args.seed)
        if all(cfg.get(k) == v for k, v in want.items()):
            log(f'data: {data_dir} exists with the same parameters, reused')
            return
        raise SystemExit(f'{info_path} records other parameters than {want}; '
                         'refusing to overwrite it (pick another --out-dir)')
    log(f'data: generating {args.num_train} train + {args.num_test} test images '
        f'of {args.size} px into {data_dir}')
    os.makedirs(data_dir, exist_ok=True)
    _run([sys.executable, osp.join(REPO, 'tools/data/generate_defects.py'), data_dir,
          '--num-train', str(args.num_train), '--num-test', str(args.num_test),
          '--size', str(args.size), '--seed', str(args.seed), '--no-progress'],
         osp.join(data_dir, 'generate.log'))


def run_strategy(strategy: str, args, run_dir: str, data_dir: str,
                 settings: Dict) -> str:
    work_dir = osp.join(run_dir, strategy)
    metrics_path = osp.join(work_dir, 'metrics.json')
    settings_path = osp.join(work_dir, 'bench_settings.json')
    if osp.isfile(metrics_path) and osp.isfile(settings_path):
        with open(settings_path) as f:
            if json.load(f) == settings:
                log(f'{strategy}: {metrics_path} from the same settings exists, skipped')
                return work_dir
    os.makedirs(osp.join(run_dir, 'configs'), exist_ok=True)
    config = osp.join(run_dir, 'configs', f'{strategy}.py')
    with open(config, 'w') as f:
        f.write(derived_config(strategy, data_dir, args))
    ckpt = osp.join(work_dir, f'epoch_{args.epochs}.pth')
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'bench_subprocess.log')
    if osp.isfile(ckpt):
        log(f'{strategy}: training finished earlier ({ckpt}), not repeated')
    else:
        log(f'{strategy}: training {args.epochs} epoch(s)')
        cmd = [sys.executable, osp.join(REPO, 'tools/train.py'), config,
               '--work-dir', work_dir]
        if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
            cmd += ['--resume', 'auto']
        _run(cmd, log_path)
        if not osp.isfile(ckpt):
            raise SystemExit(f'{strategy}: training ended without {ckpt}')
    log(f'{strategy}: testing {ckpt} on the cue-free test split')
    _run([sys.executable, osp.join(REPO, 'tools/test.py'), config, ckpt,
          '--work-dir', work_dir], log_path)
    with open(settings_path, 'w') as f:
        json.dump(settings, f, indent=1)
    return work_dir


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out-dir', default='work_dirs/gain_strategies')
    p.add_argument('--strategies', nargs='+',
                   default=['s1', 's2', 's3', 's4', 's5', 's6'],
                   help='config names under configs/gain/ (s1..s8, s6_deconv)')
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--num-train', type=int, default=400)
    p.add_argument('--num-test', type=int, default=200)
    p.add_argument('--size', type=int, default=128, help='square image side (px)')
    p.add_argument('--backbone', choices=['tiny', 'config'], default='tiny',
                   help="tiny: MobileNetV3-Small of configs/gain/demo.py (random "
                   "init, CPU-sized); config: the strategy config's "
                   'EfficientNetV2-S (downloads the pretrained weights)')
    p.add_argument('--seed', type=int, default=0, help='data and training seed')
    p.add_argument('--num-workers', type=int, default=2,
                   help='dataloader workers per loader')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    strategies = [s.lower() for s in args.strategies]
    for s in strategies:
        if not osp.isfile(osp.join(GAIN_CONFIGS, f'{s}.py')):
            raise SystemExit(f'--strategies: configs/gain/{s}.py does not exist')
    out_dir = osp.abspath(args.out_dir)
    data_dir = osp.join(out_dir, 'data',
                        f'n{args.num_train}-{args.num_test}_px{args.size}_seed{args.seed}')
    tag = (f'{args.backbone}_e{args.epochs}_n{args.num_train}-{args.num_test}'
           f'_px{args.size}_seed{args.seed}')
    run_dir = osp.join(out_dir, tag)
    log(f'run dir {run_dir}; strategies {" ".join(strategies)}')
    ensure_data(args, data_dir)
    work_dirs = {}
    for s in strategies:
        settings = dict(strategy=s, epochs=args.epochs, num_train=args.num_train,
                        num_test=args.num_test, size=args.size,
                        backbone=args.backbone, seed=args.seed, data_root=data_dir)
        work_dirs[s.upper()] = run_strategy(s, args, run_dir, data_dir, settings)

    # the table covers every strategy finished in this run dir (earlier runs
    # with a subset of --strategies included), so no result drops out of it
    for name in sorted(os.listdir(run_dir)):
        wd = osp.join(run_dir, name)
        if name.upper() not in work_dirs and osp.isfile(osp.join(wd, 'metrics.json')) \
                and osp.isfile(osp.join(wd, 'bench_settings.json')):
            work_dirs[name.upper()] = wd
    work_dirs = dict(sorted(work_dirs.items()))
    log(f'comparing strategies {" ".join(work_dirs)}')
    _run([sys.executable, osp.join(REPO, 'tools/analysis/compare_strategies.py'),
          *[f'{name}={wd}' for name, wd in work_dirs.items()],
          '--out-dir', run_dir], osp.join(run_dir, 'compare.log'))
    results = {}
    for name, wd in work_dirs.items():
        with open(osp.join(wd, 'metrics.json')) as f:
            results[name] = json.load(f)
    with open(osp.join(run_dir, 'strategies.md')) as f:
        print(f.read())
    checks = shape_checks(results)
    for c in checks:
        print(f"{c['status']}  {c['name']}: {c['detail']}")
    with open(osp.join(run_dir, 'checks.json'), 'w') as f:
        json.dump(dict(settings=vars(args), compared=list(work_dirs), checks=checks),
                  f, indent=1)
    log(f'wrote {run_dir}/strategies.md, strategies.png, checks.json '
        f'({time.perf_counter() - start:.0f} s in all)')


if __name__ == '__main__':
    main()
