"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Prints every evaluator's metrics as a table and saves them as JSON
(``<work_dir>/metrics.json``). Logic lives in :mod:`mtl_plugin.apis.run_setup`;
parsing imports nothing heavy, so ``--help`` is fast.
"""
import argparse
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for logs and metrics')
    parser.add_argument('--out', help='dump predictions to this .pkl file')
    parser.add_argument('--show-dir', help='write visualisations here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. '
                        'test_dataloader.batch_size=8')
    parser.add_argument('--allow-new-keys', action='store_true',
                        help='let --cfg-options add keys the config lacks')
    parser.add_argument('--launcher', choices=['none', 'pytorch'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.dist import is_main_process
    from mmengine.runner import Runner

    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mtl_plugin.apis.run_setup import format_metrics_table, save_metrics, setup_test_cfg
    from mtl_plugin.utils.config_checks import ConfigError, check_checkpoint_matches
    try:
        cfg = setup_test_cfg(args)
        runner = Runner.from_cfg(cfg)
        check_checkpoint_matches(runner.model, args.checkpoint)
    except ConfigError as exc:
        sys.exit(f'error: {exc}')
    metrics = runner.test()
    if is_main_process():
        print(format_metrics_table(metrics))
        path = save_metrics(metrics, cfg.work_dir, runner.timestamp)
        print(f'metrics saved to {path}')


if __name__ == '__main__':
    main()
