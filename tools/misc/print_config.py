"""Print a config with every base merged in, as the Runner sees it:
``python tools/misc/print_config.py CONFIG [--cfg-options k=v ...] [--save-path F]``.

A recipe spread over bases reads as one file here; ``--cfg-options`` are
checked against the config's keys as in ``tools/train.py``.
"""
import argparse
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description='Print the whole merged config')
    p.add_argument('config', help='config file path')
    p.add_argument('--save-path', help='also write the merged config here (.py)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. model.test_cfg.score_thr=0.3')
    p.add_argument('--allow-new-keys', action='store_true',
                   help='let --cfg-options add keys the config lacks')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import load_config
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        cfg = load_config(args.config, args.cfg_options, args.allow_new_keys)
    except ConfigError as exc:
        sys.exit(f'error: {exc}')
    print(cfg.pretty_text)
    if args.save_path:
        if not args.save_path.endswith('.py'):
            sys.exit(f'error: --save-path {args.save_path!r}: expected a .py file')
        cfg.dump(args.save_path)
        print(f'saved the merged config to {args.save_path}')


if __name__ == '__main__':
    main()
