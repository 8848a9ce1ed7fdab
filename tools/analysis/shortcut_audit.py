"""Audit a defect classifier for shortcut learning with the split's pixel masks.

    python tools/analysis/shortcut_audit.py CONFIG CKPT [--split val] [--out-dir DIR]

Runs the counterfactual tests of :mod:`mtl_plugin.evaluation.shortcut_audit`
on a split whose test pipeline loads the defect masks (default: the
config's validation split): necessity, sufficiency (with its control) and
context swap for any classifier; wrong-reason mass and deletion / insertion
curves where the model gives a map (GAIN-MTL's CAM). Prints the summary
table and the verdict line, and writes ``audit.json``, ``per_image.csv`` and
``examples/*.png`` to ``--out-dir`` (default: ``shortcut_audit_<split>``
beside the checkpoint). See docs/shortcut_audit.md.
"""
import argparse
import os.path as osp
import sys


def _threshold(value: str):
    """``--score-thr``: a probability, or ``best-f1``."""
    if value == 'best-f1':
        return value
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a probability or 'best-f1', got {value!r}") from None


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='config file')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('--split', default='val', choices=['train', 'val', 'test'],
                   help='split to audit (its dataloader, with its pipeline)')
    p.add_argument('--out-dir', help='output folder')
    p.add_argument('--defect-class', type=int, default=None,
                   help='index of the defect class (default: the model\'s, else 1)')
    p.add_argument('--score-thr', type=_threshold, default=None,
                   help='threshold of "called defect" (default: the model\'s '
                   'test_cfg.score_thr, else 0.5); best-f1: the best-F1 '
                   'threshold on the audited split\'s own scores')
    p.add_argument('--max-images', type=int, default=None,
                   help='audit at most this many images (half defect)')
    p.add_argument('--dilate', type=int, default=3,
                   help='dilation of the mask in px at the network input')
    p.add_argument('--fill', default='normal', choices=['normal', 'inpaint', 'blur'],
                   help='defect-free content of the necessity test')
    p.add_argument('--blend', default='alpha', choices=['hard', 'alpha', 'poisson'],
                   help='how a region goes into another image')
    p.add_argument('--inpaint-radius', type=int, default=3,
                   help='radius in px of --fill inpaint')
    p.add_argument('--blur-size', type=int, default=15,
                   help='window in px of --fill blur (odd)')
    p.add_argument('--steps', type=int, default=16,
                   help='steps of the deletion / insertion curves')
    p.add_argument('--baseline', default='blur', choices=['blur', 'mean'],
                   help='what a removed pixel becomes in the curves')
    p.add_argument('--baseline-sigma', type=float, default=None,
                   help='sigma in px of the blur baseline (default max(H, W) / 16)')
    p.add_argument('--num-random', type=int, default=1,
                   help='random pixel orders per image (curves\' baseline)')
    p.add_argument('--no-maps', action='store_true', help='skip the map tests')
    p.add_argument('--num-examples', type=int, default=4,
                   help='example PNGs per test')
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--min-necessity', type=float, default=0.5)
    p.add_argument('--min-sufficiency', type=float, default=0.5)
    p.add_argument('--max-sufficiency-control', type=float, default=0.2)
    p.add_argument('--max-context-swap', type=float, default=0.2)
    p.add_argument('--max-context-swap-flip', type=float, default=0.2)
    p.add_argument('--min-map-gain', type=float, default=0.02,
                   help='AUC gain over random a faithful map needs on both curves')
    p.add_argument('--min-images', type=int, default=5,
                   help='images a test needs to count in the verdict')
    p.add_argument('--fail-on-flag', action='store_true',
                   help='exit with status 1 when the verdict is FLAG')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. val_dataloader.dataset.data_root=DIR')
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mtl_plugin.evaluation.shortcut_audit import (
        AuditSettings,
        VerdictRule,
        format_summary_table,
        run_shortcut_audit,
    )
    from mtl_plugin.utils.config_checks import ConfigError
    out_dir = args.out_dir or osp.join(osp.dirname(osp.abspath(args.checkpoint)),
                                       f'shortcut_audit_{args.split}')
    try:
        settings = AuditSettings(
            dilate=args.dilate, fill=args.fill, blend=args.blend,
            inpaint_radius=args.inpaint_radius, blur_size=args.blur_size,
            num_steps=args.steps, baseline=args.baseline,
            baseline_sigma=args.baseline_sigma,
            num_random=args.num_random, with_maps=not args.no_maps,
            max_images=args.max_images, num_examples=args.num_examples,
            batch_size=args.batch_size, seed=args.seed)
        rule = VerdictRule(min_necessity=args.min_necessity,
                           min_sufficiency=args.min_sufficiency,
                           max_sufficiency_control=args.max_sufficiency_control,
                           max_context_swap=args.max_context_swap,
                           max_context_swap_flip=args.max_context_swap_flip,
                           min_images=args.min_images,
                           min_map_gain=args.min_map_gain)
        audit = run_shortcut_audit(args.config, args.checkpoint, args.split, out_dir,
                                   settings, rule, args.defect_class, args.score_thr,
                                   args.device, args.cfg_options)
    except (ConfigError, FileNotFoundError, KeyError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    print(format_summary_table(audit))
    if audit['skipped']:
        print(f"skipped {len(audit['skipped'])} image(s), e.g. {audit['skipped'][0]}")
    print(f"run time {audit['run_time_s']:.1f} s "
          f"({audit['seconds_per_100_images']:.1f} s per 100 images)")
    print(f"wrote {audit['files']['json']}, {audit['files']['csv']} and "
          f"{len(audit['examples'])} example(s) in {osp.join(out_dir, 'examples')}")
    if args.fail_on_flag and audit['verdict']['verdict'] == 'FLAG':
        sys.exit(1)


if __name__ == '__main__':
    main()
