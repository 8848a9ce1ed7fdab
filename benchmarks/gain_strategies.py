"""GAIN-MTL strategies on synthetic defects with a shortcut cue, judged
against an unbiased oracle: train, test, compare over seeds and defect
families, and check the expected shape of the results.

    python benchmarks/gain_strategies.py --out-dir work_dirs/gain_strategies \
        [--family metal textile] [--strategies s1 s2 s3 s4 s5 s6] \
        [--best s6] [--seeds 0 1] [--oracle-strategies s1 [s6 ...]] \
        [--no-oracle] [--epochs 20] \
        [--num-train 400] [--num-test 200] [--size 128] [--backbone tiny|config]

``--strategies`` takes any config name under ``configs/gain/`` (``s1`` ..
``s8``, ``s6-deconv``, new ones). Per family and seed:

1. data: ``tools/data/generate_defects.py --family F --seed K`` writes the
   biased set (train cue on 95 % of defect / 5 % of normal images, cue-free
   test) to ``<out>/data/<family>/n<train>-<test>_px<size>_seed<K>``, and,
   for the oracle, its twin with ``--cue-prob 0.5 --cue-prob-normal 0.5``
   (``..._oracle``): the same images, whose cue is independent of the label.
   A folder whose ``generation_info.json`` records the same parameters is
   reused; one with other parameters is never overwritten.
2. per strategy: a derived config ``<run>/configs/<name>.py``, built with
   mmengine's ``Config`` API (``Config.fromfile`` of ``configs/gain/<name>.py``,
   overrides merged in, ``Config.dump``): data roots, input size, epochs with
   the cosine schedule stretched to them, seed, one checkpoint / validation at
   the end; ``--backbone tiny`` puts the strategy on the CPU demo's model
   (``configs/gain/demo.py``: its MobileNetV3-Small backbone, the widths of
   the heads the strategy has, its learning rate and warm-up; channels need
   nothing, ``GAINMTL`` fills them in), so that the default strategy
   with ``--backbone tiny`` is ``demo.py``'s model exactly (tested). Then
   ``tools/train.py`` and ``tools/test.py`` in subprocesses, i.e. exactly the
   commands a user runs (they are printed). The *oracle* run is S1 trained
   (and validated) on the oracle twin and tested on the biased set's test
   split, the same images every strategy is tested on; ``--oracle-strategies
   s1 s6`` also trains S6 that way (run ``oracle_s6``: what the strategy
   reaches without a shortcut to unlearn). ``<run>`` =
   ``<out>/<family>/<backbone>_e<epochs>_n<train>-<test>_px<size>_seed<K>``.
   Resumable and non-destructive: a run whose work dir holds ``metrics.json``
   and a ``bench_settings.json`` with the same settings (the derived config's
   text included) is skipped; a finished training (``epoch_<epochs>.pth``) is
   not repeated; an interrupted one resumes (``--resume auto``); a work dir
   made with other settings (e.g. its strategy config changed since) stops
   the script with a message instead of being overwritten. Nothing is deleted.
3. ``tools/analysis/compare_strategies.py`` over every run finished in
   ``<run>`` (earlier invocations included) writes ``<run>/strategies.md``
   and ``strategies.png``; the S-chain shape checks of that seed are printed
   and saved in ``<run>/checks.json``.

Then, per family, over the seeds asked for: a table of every run in all of
them (mean and min-max over seeds of each metric, and recall / AUROC /
accuracy as a fraction of the oracle's, the fraction taken per seed (same
data) and then averaged), and the oracle checks on the means over seeds, written to
``<out>/<family>/summary_<tag>_seeds<K..>.md`` and ``.json``.

Checks (``cam/`` keys of ``CAMMetric``, ``cls/`` of ``DefectClsMetric``, all on
the cue-free test split). S-chain shape (per seed; names S1..S6 only):

* ``cam_iou_2x``: ``cam/iou`` of every strategy after S1 >= 2 x S1's (and > 0).
* ``loc_iou_far_above``: ``cam/loc_iou`` of S4..S6 >= ``FAR_FACTOR`` x and
  >= ``FAR_MARGIN`` above the best map IoU of S1..S3.
* ``recall_not_below_s1``: ``cls/recall`` of every strategy after S1 >= S1's.

Against the oracle (per family, on the means over seeds; ``--best`` is the
strategy judged, default the last of ``--strategies``):

* ``best_recall_vs_oracle``, ``best_auroc_vs_oracle``: the best strategy's
  ``cls/recall`` (``cls/auroc``) >= ``ORACLE_FRACTION`` x the oracle's.
* ``best_recall_vs_own_oracle``, ``best_auroc_vs_own_oracle``: the same
  against the best strategy trained on the oracle twin (``--oracle-strategies
  s1 <best>``), the stricter reference: it has the same guidance and no
  shortcut to unlearn.
* ``best_cam_iou_2x_s1``: its ``cam/iou`` >= 2 x S1's (and > 0).
* ``best_point_game``: its ``cam/point_game`` >= ``POINT_GAME_MIN``.

A check whose inputs are missing reports SKIP.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from repo_paths import REPO_ROOT as REPO

GAIN_CONFIGS = osp.join(REPO, 'configs', 'gain')
# --backbone tiny: the demo's CPU model, learning rate and warm-up
TINY_REFERENCE = osp.join(GAIN_CONFIGS, 'demo.py')
# The strategy configs/gain/demo.py is (tested): the one judged by default
DEFAULT_STRATEGY = 's9'
# mid_channels of the attention head on the tiny backbone (the demo's recipe
# has no attention head; S3..S8 get this width)
TINY_ATTENTION_CHANNELS = 64
# --score-thr of the shortcut audit of every run (and what its audit.json
# must record to be reused)
AUDIT_SCORE_THR = 'best-f1'
# benchmark family -> generate_defects.py options: the two procedural families
# and the real-photograph one with each of its shortcut kinds
FAMILIES = {
    'metal': ['--family', 'metal'],
    'textile': ['--family', 'textile'],
    'photo-stamp': ['--family', 'photo', '--shortcut', 'stamp'],
    'photo-global': ['--family', 'photo', '--shortcut', 'global'],
    'photo-surface': ['--family', 'photo', '--shortcut', 'surface'],
}
ORACLE = 'oracle'

# "far above" in the Loc-IoU check: both a ratio and an absolute margin.
FAR_FACTOR = 1.5
FAR_MARGIN = 0.1
# The best strategy against the unbiased oracle.
ORACLE_FRACTION = 0.9
POINT_GAME_MIN = 0.5
# Metrics of the cross-seed summary; the first three also as oracle fractions.
SUMMARY_METRICS = ('cls/recall', 'cls/auroc', 'cls/accuracy', 'cam/iou',
                   'cam/point_game', 'cam/energy_inside', 'cam/loc_iou',
                   'audit/necessity', 'audit/sufficiency', 'audit/context_swap_flip',
                   'audit/combined')
FRACTION_METRICS = SUMMARY_METRICS[:3]

Metrics = Dict[str, float]


def log(msg: str) -> None:
    print(f'[gain_strategies] {msg}', flush=True)


# ---------------------------------------------------------------- checks --

def _num(results: Dict[str, Metrics], name: str, key: str) -> Optional[float]:
    value = results.get(name, {}).get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and value == value:  # not NaN
        return float(value)
    return None


def _fmt(v: Optional[float]) -> str:
    return 'n/a' if v is None else f'{v:.3f}'


def _judge(res: Dict[str, Metrics], names: List[str], key: str,
           reference: Optional[float], good: Callable[[float], bool]) -> Tuple[str, str]:
    """Apply ``good(value)`` to ``key`` of each run in ``names``.

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


def shape_checks(results: Dict[str, Metrics]) -> List[Dict]:
    """The three S-chain shape checks of one seed.

    ``results``: ``{run name: flat metrics dict}``; names are matched
    case-insensitively to ``S1``..``S6`` (other names are ignored). Returns one
    dict per check: ``name``, ``status`` ('PASS' | 'FAIL' | 'SKIP'), ``detail``.
    """
    res = {k.upper(): v for k, v in results.items()}
    order = [f'S{i}' for i in range(1, 7) if f'S{i}' in res]
    later = [s for s in order if s != 'S1']

    s1_iou = _num(res, 'S1', 'cam/iou')
    status, parts = _judge(res, later, 'cam/iou', s1_iou,
                           lambda v: v >= 2 * s1_iou and v > 0)
    checks = [dict(
        name='cam_iou_2x', status=status,
        detail=f'cam/iou >= 2 x S1 ({_fmt(s1_iou)} -> '
        f'{_fmt(None if s1_iou is None else 2 * s1_iou)}): {parts}')]

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

    s1_rec = _num(res, 'S1', 'cls/recall')
    status, parts = _judge(res, later, 'cls/recall', s1_rec,
                           lambda v: v >= s1_rec)
    checks.append(dict(
        name='recall_not_below_s1', status=status,
        detail=f'cls/recall >= S1 ({_fmt(s1_rec)}): {parts}'))
    return checks


def seed_summary(per_seed: Dict[int, Dict[str, Metrics]]) -> Dict[str, Dict]:
    """Mean and spread over seeds of every run.

    ``per_seed``: ``{seed: {run name: flat metrics}}``. Returns ``{RUN NAME:
    {key: dict(mean, min, max, n)}}`` for each key of ``SUMMARY_METRICS``
    the run has in at least one seed, plus ``'<key>/oracle'`` for
    ``FRACTION_METRICS``: the per-seed ratio to the ``ORACLE`` run of the same
    seed, then the same statistics (seeds without an oracle or with an oracle
    value of 0 are left out of it), and ``'<key>/own_oracle'``: the same
    against the run's own strategy trained on the oracle twin (``ORACLE_<RUN>``,
    see :func:`own_oracle_name`), where that was run.
    """
    names = sorted({n.upper() for runs in per_seed.values() for n in runs})
    out: Dict[str, Dict] = {}
    for name in names:
        stats = {}
        own = own_oracle_name(name)
        for key in SUMMARY_METRICS:
            values, fractions, own_fractions = [], [], []
            for runs in per_seed.values():
                res = {k.upper(): v for k, v in runs.items()}
                v = _num(res, name, key)
                if v is None:
                    continue
                values.append(v)
                if key not in FRACTION_METRICS:
                    continue
                o = _num(res, ORACLE.upper(), key)
                if o:
                    fractions.append(v / o)
                o = _num(res, own, key) if own else None
                if o:
                    own_fractions.append(v / o)
            for k, vals in ((key, values), (f'{key}/oracle', fractions),
                            (f'{key}/own_oracle', own_fractions)):
                if vals:
                    stats[k] = dict(mean=sum(vals) / len(vals), min=min(vals),
                                    max=max(vals), n=len(vals))
        out[name] = stats
    return out


def own_oracle_name(run: str) -> Optional[str]:
    """The run of ``run``'s strategy trained on the oracle twin (upper case):
    ``ORACLE`` for S1, ``ORACLE_<RUN>`` for another strategy, ``None`` for an
    oracle run itself."""
    run = run.upper()
    if run.startswith(ORACLE.upper()):
        return None
    return oracle_run_name(run.lower()).upper()


def oracle_checks(summary: Dict[str, Dict], best: str) -> List[Dict]:
    """The checks of ``best`` against the oracle and S1, on seed means.

    ``summary``: as returned by :func:`seed_summary`. Returns check dicts as
    :func:`shape_checks`.
    """
    best = best.upper()

    def mean(name, key):
        return summary.get(name, {}).get(key, {}).get('mean')

    checks = []
    for key, check in (('cls/recall', 'best_recall_vs_oracle'),
                       ('cls/auroc', 'best_auroc_vs_oracle')):
        frac, o, b = mean(best, f'{key}/oracle'), mean('ORACLE', key), mean(best, key)
        status = 'SKIP' if frac is None else ('PASS' if frac >= ORACLE_FRACTION else 'FAIL')
        checks.append(dict(
            name=check, status=status,
            detail=f'{key} of {best} >= {ORACLE_FRACTION} x ORACLE: {_fmt(b)} vs '
            f'{_fmt(o)}, fraction {_fmt(frac)} (mean of per-seed ratios)'))
    own = own_oracle_name(best)
    for key, check in (('cls/recall', 'best_recall_vs_own_oracle'),
                       ('cls/auroc', 'best_auroc_vs_own_oracle')):
        frac, o, b = mean(best, f'{key}/own_oracle'), mean(own, key), mean(best, key)
        status = 'SKIP' if frac is None else ('PASS' if frac >= ORACLE_FRACTION else 'FAIL')
        checks.append(dict(
            name=check, status=status,
            detail=f'{key} of {best} >= {ORACLE_FRACTION} x {own} (the same strategy '
            f'trained on the oracle twin): {_fmt(b)} vs {_fmt(o)}, fraction '
            f'{_fmt(frac)} (mean of per-seed ratios)'))
    # guidance never costs classification: trained without the shortcut, the
    # strategy ranks at least as well as S1 trained the same way
    o, b = mean('ORACLE', 'cls/auroc'), mean(own, 'cls/auroc')
    status = 'SKIP' if o is None or b is None else ('PASS' if b >= o else 'FAIL')
    checks.append(dict(name='own_oracle_auroc_vs_oracle', status=status,
                       detail=f'cls/auroc of {own} >= ORACLE (both trained on the '
                       f'oracle twin): {_fmt(b)} vs {_fmt(o)}'))
    s1, b = mean('S1', 'cam/iou'), mean(best, 'cam/iou')
    status = 'SKIP' if s1 is None or b is None else \
        ('PASS' if b >= 2 * s1 and b > 0 else 'FAIL')
    checks.append(dict(name='best_cam_iou_2x_s1', status=status,
                       detail=f'cam/iou of {best} >= 2 x S1: {_fmt(b)} vs S1 '
                       f'{_fmt(s1)} (-> {_fmt(None if s1 is None else 2 * s1)})'))
    pg = mean(best, 'cam/point_game')
    status = 'SKIP' if pg is None else ('PASS' if pg >= POINT_GAME_MIN else 'FAIL')
    checks.append(dict(name='best_point_game', status=status,
                       detail=f'cam/point_game of {best} >= {POINT_GAME_MIN}: {_fmt(pg)}'))
    return checks


def summary_table(summary: Dict[str, Dict]) -> str:
    """Markdown table of :func:`seed_summary`: ``mean (min-max)`` per cell,
    ``-`` where a run lacks the metric."""
    # own-oracle columns once a strategy other than S1 ran on the oracle twin
    # (S1's own oracle is the oracle: its columns would repeat)
    own = [f'{k}/own_oracle' for k in FRACTION_METRICS] if any(
        n.startswith(f'{ORACLE.upper()}_') for n in summary) else []
    keys = list(SUMMARY_METRICS[:3]) + [f'{k}/oracle' for k in FRACTION_METRICS] \
        + own + list(SUMMARY_METRICS[3:])
    lines = ['| run | seeds | ' + ' | '.join(keys) + ' |',
             '|---|---:|' + '---:|' * len(keys)]
    order = sorted(summary, key=lambda n: (n != ORACLE.upper(), n))
    for name in order:
        stats = summary[name]
        n = max((s['n'] for s in stats.values()), default=0)
        cells = []
        for k in keys:
            s = stats.get(k)
            if s is None:
                cells.append('-')
            elif s['n'] == 1:
                cells.append(f'{s["mean"]:.3f}')
            else:
                cells.append(f'{s["mean"]:.3f} ({s["min"]:.3f}-{s["max"]:.3f})')
        lines.append(f'| {name} | {n} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------- configs --

def tiny_overrides(model) -> Dict:
    """The ``model`` overrides that put a strategy's ``model`` config on the
    demo's CPU model (``TINY_REFERENCE``): its backbone, replaced whole (no
    pretrained download), and the widths of the heads it shares with the
    strategy (the attention head's ``mid_channels``, the localization FPN's
    ``out_channels``), merged into the parts the strategy has (and only
    those)."""
    from mmengine.config import Config
    demo = Config.fromfile(TINY_REFERENCE).model
    over = dict(backbone=dict(_delete_=True, **demo.backbone))
    if model.get('attention_head'):
        over['attention_head'] = dict(mid_channels=TINY_ATTENTION_CHANNELS)
    if model.get('loc_head'):
        over['loc_head'] = dict(neck=dict(
            out_channels=demo.loc_head.neck.out_channels))
    return over


def derived_config(strategy: str, args, seed: int, data_root: str,
                   train_root: Optional[str] = None):
    """The mmengine ``Config`` of ``configs/gain/<strategy>.py`` with the
    benchmark's settings merged in. ``train_root`` (default ``data_root``)
    feeds train and val; test always reads ``data_root``."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(GAIN_CONFIGS, f'{strategy}.py'))
    train_root = train_root or data_root
    size = (args.size, args.size)
    epochs = args.epochs
    over: Dict = dict(
        img_scale=size,
        train_cfg=dict(max_epochs=epochs, val_interval=epochs),
        randomness=dict(seed=seed),
        default_hooks=dict(checkpoint=dict(interval=epochs, max_keep_ckpts=1)))
    for loader, root in (('train_dataloader', train_root), ('val_dataloader', train_root),
                         ('test_dataloader', data_root)):
        over[loader] = dict(num_workers=args.num_workers,
                            persistent_workers=args.num_workers > 0,
                            dataset=dict(data_root=root))
    if args.backbone == 'tiny':
        demo = Config.fromfile(TINY_REFERENCE)
        over['model'] = tiny_overrides(cfg.model)
        over['optim_wrapper'] = dict(
            optimizer=dict(lr=demo.optim_wrapper.optimizer.lr))
        warmup = demo.param_scheduler[0].end
        eta_min = demo.param_scheduler[-1].eta_min
    else:
        warmup, eta_min = 100, 1e-6
    cfg.merge_from_dict(over)
    # Lists replace rather than merge: the pipelines and the schedule are
    # edited in place.
    for pipeline in [cfg.get('train_pipeline', []), cfg.get('test_pipeline', [])] + [
            cfg[loader].dataset.pipeline
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]:
        for step in pipeline:
            if step['type'] == 'Resize':
                step['scale'] = size
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=warmup),
        dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=epochs,
             eta_min=eta_min, convert_to_iter_based=True)]
    return cfg


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


def ensure_data(args, family: str, seed: int, data_dir: str, oracle: bool) -> None:
    """Generate the set (or its oracle twin) unless ``data_dir`` holds it."""
    cue = (0.5, 0.5) if oracle else (0.95, 0.05)
    options = FAMILIES[family]
    generator = options[options.index('--family') + 1]
    want = dict(num_train=args.num_train, num_test=args.num_test, height=args.size,
                width=args.size, seed=seed, cue_prob=cue[0], cue_prob_normal=cue[1])
    if '--shortcut' in options:
        want['shortcut'] = options[options.index('--shortcut') + 1]
    info_path = osp.join(data_dir, 'generation_info.json')
    if osp.isfile(info_path):
        with open(info_path) as f:
            info = json.load(f)
        cfg = info.get('config', {})
        if info.get('family', 'metal') == generator and all(
                cfg.get(k) == v for k, v in want.items()):
            log(f'data: {data_dir} exists with the same parameters, reused')
            return
        raise SystemExit(f'{info_path} records other parameters than {family} '
                         f'{want}; refusing to overwrite it (pick another --out-dir)')
    log(f'data: generating {family} {args.num_train} train + {args.num_test} test '
        f'images of {args.size} px (cue {cue[0]} / {cue[1]}) into {data_dir}')
    os.makedirs(data_dir, exist_ok=True)
    _run([sys.executable, osp.join(REPO, 'tools/data/generate_defects.py'), data_dir,
          *options, '--num-train', str(args.num_train),
          '--num-test', str(args.num_test), '--size', str(args.size),
          '--seed', str(seed), '--cue-prob', str(cue[0]),
          '--cue-prob-normal', str(cue[1]), '--no-progress'],
         osp.join(data_dir, 'generate.log'))


def run_strategy(name: str, strategy: str, cfg, run_dir: str, settings: Dict,
                 epochs: int) -> str:
    """Train and test one derived config in ``<run_dir>/<name>``."""
    work_dir = osp.join(run_dir, name)
    metrics_path = osp.join(work_dir, 'metrics.json')
    settings_path = osp.join(work_dir, 'bench_settings.json')
    os.makedirs(osp.join(run_dir, 'configs'), exist_ok=True)
    config = osp.join(run_dir, 'configs', f'{name}.py')
    cfg.dump(config)
    with open(config, 'rb') as f:
        settings = dict(settings, config_sha1=hashlib.sha1(f.read()).hexdigest())
    if osp.isfile(settings_path):
        with open(settings_path) as f:
            old = json.load(f)
        if old != settings:
            changed = sorted(k for k in set(old) | set(settings)
                             if old.get(k) != settings.get(k))
            raise SystemExit(
                f'{name}: {work_dir} was made with other settings ({", ".join(changed)} '
                f'differ; config_sha1: configs/gain/{strategy}.py or a base changed); '
                'refusing to mix them: move that folder away or pick another --out-dir')
        if osp.isfile(metrics_path):
            log(f'{name}: {metrics_path} from the same settings exists, skipped')
            return work_dir
    os.makedirs(work_dir, exist_ok=True)
    with open(settings_path, 'w') as f:
        json.dump(settings, f, indent=1)
    ckpt = osp.join(work_dir, f'epoch_{epochs}.pth')
    log_path = osp.join(work_dir, 'bench_subprocess.log')
    if osp.isfile(ckpt):
        log(f'{name}: training finished earlier ({ckpt}), not repeated')
    else:
        log(f'{name}: training {epochs} epoch(s)')
        cmd = [sys.executable, osp.join(REPO, 'tools/train.py'), config,
               '--work-dir', work_dir]
        if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
            cmd += ['--resume', 'auto']
        _run(cmd, log_path)
        if not osp.isfile(ckpt):
            raise SystemExit(f'{name}: training ended without {ckpt}')
    log(f'{name}: testing {ckpt} on the cue-free test split')
    _run([sys.executable, osp.join(REPO, 'tools/test.py'), config, ckpt,
          '--work-dir', work_dir], log_path)
    audit(config, ckpt, work_dir, log_path)
    return work_dir


def audit(config: str, ckpt: str, work_dir: str, log_path: str) -> None:
    """The shortcut audit of a trained run on its *biased* validation split
    (``tools/analysis/shortcut_audit.py``, into ``<work_dir>/audit``), unless
    its ``audit.json`` is newer than the checkpoint and made the same way.

    At the best-F1 threshold of the split's own scores: a tiny model trained
    20 epochs often ranks the images well with every score under 0.5, which
    at 0.5 leaves no image called defect and nothing to test."""
    out = osp.join(work_dir, 'audit', 'audit.json')
    if osp.isfile(out) and osp.getmtime(out) > osp.getmtime(ckpt):
        with open(out) as f:
            if json.load(f).get('score_thr_request') == AUDIT_SCORE_THR:
                log(f'{out} is newer than {ckpt}, not audited again')
                return
    log(f'auditing {ckpt} on the biased validation split')
    _run([sys.executable, osp.join(REPO, 'tools/analysis/shortcut_audit.py'), config,
          ckpt, '--split', 'val', '--score-thr', AUDIT_SCORE_THR,
          '--out-dir', osp.join(work_dir, 'audit')], log_path)


def finished_runs(run_dir: str) -> Dict[str, str]:
    """``{RUN NAME: work dir}`` of every finished run in ``run_dir``."""
    runs = {}
    if osp.isdir(run_dir):
        for name in sorted(os.listdir(run_dir)):
            wd = osp.join(run_dir, name)
            if osp.isfile(osp.join(wd, 'metrics.json')) and \
                    osp.isfile(osp.join(wd, 'bench_settings.json')):
                runs[name.upper()] = wd
    return runs


def load_metrics(runs: Dict[str, str]) -> Dict[str, Metrics]:
    """Test metrics of each run, with the numbers of its shortcut audit (on
    the biased validation split) as ``audit/<key>`` where it was audited."""
    out = {}
    for name, wd in runs.items():
        with open(osp.join(wd, 'metrics.json')) as f:
            out[name] = json.load(f)
        audit_path = osp.join(wd, 'audit', 'audit.json')
        if osp.isfile(audit_path):
            with open(audit_path) as f:
                summary = json.load(f)['summary']
            out[name].update({f'audit/{k}': v for k, v in summary.items()
                              if isinstance(v, (int, float))})
    return out


def print_checks(checks: Sequence[Dict], prefix: str = '') -> None:
    for c in checks:
        print(f"{c['status']}  {prefix}{c['name']}: {c['detail']}")


def run_seed(args, family: str, seed: int, strategies: List[str]) -> str:
    """Data, every run and the per-seed comparison of one family and seed;
    returns the run dir."""
    out_dir = osp.abspath(args.out_dir)
    data_tag = f'n{args.num_train}-{args.num_test}_px{args.size}_seed{seed}'
    data_dir = osp.join(out_dir, 'data', family, data_tag)
    run_dir = osp.join(out_dir, family, f'{args.backbone}_e{args.epochs}_{data_tag}')
    log(f'{family} seed {seed}: run dir {run_dir}')
    ensure_data(args, family, seed, data_dir, oracle=False)
    jobs = [(s, s, data_dir, None) for s in strategies]
    if args.oracle_strategies:
        oracle_dir = data_dir + '_oracle'
        ensure_data(args, family, seed, oracle_dir, oracle=True)
        jobs = [(oracle_run_name(s), s, data_dir, oracle_dir)
                for s in args.oracle_strategies] + jobs
    for name, strategy, test_root, train_root in jobs:
        cfg = derived_config(strategy, args, seed, test_root, train_root)
        settings = dict(run=name, strategy=strategy, family=family, epochs=args.epochs,
                        num_train=args.num_train, num_test=args.num_test,
                        size=args.size, backbone=args.backbone, seed=seed,
                        data_root=test_root, train_root=train_root or test_root)
        run_strategy(name, strategy, cfg, run_dir, settings, args.epochs)
    runs = finished_runs(run_dir)
    log(f'{family} seed {seed}: comparing {" ".join(runs)}')
    _run([sys.executable, osp.join(REPO, 'tools/analysis/compare_strategies.py'),
          *[f'{name}={wd}' for name, wd in runs.items()], '--out-dir', run_dir],
         osp.join(run_dir, 'compare.log'))
    with open(osp.join(run_dir, 'strategies.md')) as f:
        print(f.read())
    checks = shape_checks(load_metrics(runs))
    print_checks(checks, f'{family} seed {seed} ')
    with open(osp.join(run_dir, 'checks.json'), 'w') as f:
        json.dump(dict(settings=vars(args), family=family, seed=seed,
                       compared=list(runs), checks=checks), f, indent=1)
    return run_dir


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out-dir', default='work_dirs/gain_strategies')
    p.add_argument('--family', nargs='+', default=['metal'], choices=list(FAMILIES),
                   help='synthetic defect families (tools/data/generate_defects.py)')
    p.add_argument('--strategies', nargs='+',
                   default=['s1', 's2', 's3', 's4', 's5', 's6'],
                   help='config names under configs/gain/ (any of them)')
    p.add_argument('--best', default=None,
                   help='the strategy judged against the oracle (default: the '
                   'last of --strategies)')
    p.add_argument('--oracle-strategies', nargs='+', default=['s1'],
                   help='strategies also trained on the label-independent-cue '
                   'twin: s1 is the oracle the fractions and checks use (run '
                   '"oracle"), others are runs "oracle_<name>"')
    p.add_argument('--no-oracle', dest='oracle_strategies', action='store_const',
                   const=[], help='no oracle run')
    p.add_argument('--seeds', type=int, nargs='+', default=[0],
                   help='data and training seeds; the summary gives mean and '
                   'min-max over them')
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--num-train', type=int, default=400)
    p.add_argument('--num-test', type=int, default=200)
    p.add_argument('--size', type=int, default=128, help='square image side (px)')
    p.add_argument('--backbone', choices=['tiny', 'config'], default='tiny',
                   help="tiny: configs/gain/demo.py's MobileNetV3-Small (random "
                   "init, CPU-sized), head widths, lr and warm-up; config: the "
                   "strategy config's EfficientNetV2-S (downloads the pretrained weights)")
    p.add_argument('--num-workers', type=int, default=2,
                   help='dataloader workers per loader')
    return p.parse_args(argv)


def oracle_run_name(strategy: str) -> str:
    """Run name of ``strategy`` trained on the oracle twin."""
    return ORACLE if strategy == 's1' else f'{ORACLE}_{strategy}'


def check_strategies(names: Sequence[str]) -> List[str]:
    """Lower-cased config names; SystemExit naming any that does not exist."""
    names = [s.lower() for s in names]
    missing = [s for s in names if not osp.isfile(osp.join(GAIN_CONFIGS, f'{s}.py'))]
    if missing:
        raise SystemExit(f'--strategies/--best: configs/gain/{{{",".join(missing)}}}.py '
                         f'not found (choose names of configs/gain/*.py)')
    if any(s.startswith(ORACLE) for s in names):
        raise SystemExit(f'--strategies: names starting with {ORACLE!r} are '
                         'kept for the oracle runs')
    return names


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    strategies = check_strategies(args.strategies)
    best = check_strategies([args.best or strategies[-1]])[0]
    args.oracle_strategies = check_strategies(args.oracle_strategies)
    out_dir = osp.abspath(args.out_dir)
    for family in args.family:
        per_seed = {}
        for seed in args.seeds:
            run_dir = run_seed(args, family, seed, strategies)
            per_seed[seed] = load_metrics(finished_runs(run_dir))
        summary = seed_summary(per_seed)
        checks = oracle_checks(summary, best)
        table = summary_table(summary)
        seeds = '-'.join(str(s) for s in args.seeds)
        stem = osp.join(out_dir, family, f'summary_{args.backbone}_e{args.epochs}_'
                        f'n{args.num_train}-{args.num_test}_px{args.size}_seeds{seeds}')
        print(f'\n{family}, seeds {" ".join(map(str, args.seeds))}: mean (min-max); '
              '<metric>/oracle = per-seed fraction of the oracle (S1 trained on the '
              'label-independent-cue twin); <metric>/own_oracle = the same against '
              'the run\'s own strategy trained on that twin (where run)\n')
        print(table)
        print_checks(checks, f'{family} ')
        with open(stem + '.md', 'w') as f:
            f.write(table + '\n' + '\n'.join(
                f"{c['status']}  {c['name']}: {c['detail']}" for c in checks) + '\n')
        with open(stem + '.json', 'w') as f:
            json.dump(dict(settings=vars(args), family=family, best=best,
                           summary=summary, checks=checks), f, indent=1)
        log(f'wrote {stem}.md / .json')
    log(f'done in {time.perf_counter() - start:.0f} s')


if __name__ == '__main__':
    main()
