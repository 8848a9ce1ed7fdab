"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Prints every evaluator's metrics as a table and saves them as JSON
(``<work_dir>/metrics.json``). Logic lives in :mod:`mtl_plugin.utils.run_setup`.
"""
import argparse
import sys

from mtl_plugin.utils.run_setup import add_common_arguments


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for logs and metrics')
    parser.add_argument('--out', help='dump predictions to this .pkl file')
    parser.add_argument('--show-dir', help='write visualisations here')
    add_common_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mmengine.dist import is_main_process
    from mmengine.runner import Runner

    from mtl_plugin.utils.config_checks import (ConfigError,
                                                check_checkpoint_matches)
    from mtl_plugin.utils.run_setup import (format_metrics_table, save_metrics,
                                            setup_test_cfg)
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
