"""Diagnose a config: ``python tools/diagnose.py CONFIG CHECK [options]``.

CHECK is one of ``audit`` (static config checks), ``data`` (ground-truth
integrity over N items, overlay grid PNG), ``overfit`` (train on 10-20 samples
until the task metric passes), ``trace`` (one sample through pipeline and
model), ``metrics`` (evaluator vs independent references), or ``all``
(audit + metrics + data + trace). Findings print with severity; the exit code
is 1 when any finding is an ERROR. The library lives in mtl_plugin.diagnostics.
"""
import argparse
import sys

from mmengine.config import DictAction

CHECKS = ('audit', 'data', 'overfit', 'trace', 'metrics', 'all')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Diagnose a config')
    parser.add_argument('config', help='config file path')
    parser.add_argument('check', choices=CHECKS)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. data_root=data/x/')
    parser.add_argument('--num-samples', type=int, default=16,
                        help='items for data / overfit (default 16)')
    parser.add_argument('--out-dir', default='work_dirs/diagnose',
                        help='where data writes data_grid.png / data_stats.json')
    parser.add_argument('--split', default='train',
                        choices=['train', 'val', 'test'],
                        help='dataset the data check reads')
    parser.add_argument('--index', type=int, default=0, help='trace: item index')
    parser.add_argument('--synthetic', action='store_true',
                        help='overfit / trace on generated images instead of '
                        'the config dataset')
    parser.add_argument('--image-size', type=int, default=64,
                        help='side of the --synthetic images (pixels)')
    parser.add_argument('--max-iters', type=int, default=300)
    parser.add_argument('--val-interval', type=int, default=25)
    parser.add_argument('--lr', type=float, help='overfit: override the lr')
    parser.add_argument('--target', type=float,
                        help='overfit: one target for every task (fraction)')
    return parser.parse_args(argv)


def run(args) -> int:
    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mtl_plugin import diagnostics as diag
    from mtl_plugin.apis import load_config
    try:
        cfg = load_config(args.config, args.cfg_options, allow_new_keys=True)
    except Exception as exc:  # noqa: BLE001 - any load failure is a finding
        print(f'[ERROR  ] config: {args.config} does not load: '
              f'{type(exc).__name__}: {exc}')
        return 1
    synthetic = (diag.SyntheticTaskDataset(cfg, args.num_samples, args.image_size)
                 if args.synthetic else None)
    checks = ['audit', 'metrics', 'data', 'trace'] if args.check == 'all' \
        else [args.check]
    code = 0
    for check in checks:
        if check == 'audit':
            report = diag.audit(cfg)
        elif check == 'metrics':
            report = diag.metric_check(cfg)
        elif check == 'data':
            report = diag.data_check(cfg, args.num_samples, args.out_dir,
                                     dataset=synthetic, split=args.split)
        elif check == 'trace':
            report = diag.trace(cfg, dataset=synthetic, index=args.index)
        else:
            targets = None
            if args.target is not None:
                targets = dict(seg=args.target, det=args.target, cls=args.target)
            report = diag.overfit(cfg, args.num_samples, args.max_iters,
                                  args.val_interval, args.lr, targets,
                                  dataset=synthetic)
        print(report.format())
        code = max(code, report.exit_code)
    return code


def main(argv=None):
    sys.exit(run(parse_args(argv)))


if __name__ == '__main__':
    main()
