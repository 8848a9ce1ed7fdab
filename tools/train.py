"""Train a model from a config: ``python tools/train.py CONFIG [options]``.

Thin wrapper around mmengine's Runner; option handling and the checks that run
before training live in :mod:`mtl_plugin.apis.run_setup`. Parsing imports
nothing heavy, so ``--help`` is fast.
"""
import argparse
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='directory for logs and checkpoints '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision, float16 with dynamic '
                        'loss scaling (needs a CUDA GPU)')
    parser.add_argument('--amp-dtype', choices=['float16', 'bfloat16'],
                        help='mixed precision with this autocast dtype '
                        '(implies --amp; bfloat16 needs no loss scaling)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by total batch size / the '
                        "config's auto_scale_lr.base_batch_size")
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help="resume from the latest checkpoint in the work dir ('--resume' or "
        "'--resume auto') or from a given checkpoint path")
    parser.add_argument('--tensorboard', action='store_true',
                        help='also log scalars to TensorBoard (needs the '
                        'tensorboard package: MTL_EXTRAS=optional)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. train_cfg.max_epochs=5')
    parser.add_argument('--allow-new-keys', action='store_true',
                        help='let --cfg-options add keys the config lacks')
    parser.add_argument('--launcher', choices=['none', 'pytorch'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.runner import Runner

    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mtl_plugin.apis.run_setup import setup_train_cfg
    from mtl_plugin.engine.failure_report import install_failure_report
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        cfg = setup_train_cfg(args)
    except ConfigError as exc:
        sys.exit(f'error: {exc}')
    # a run that dies of an exception ends with its cause in words and the
    # command that resumes it (docs/faults.md)
    install_failure_report(cfg.work_dir, args.config)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
