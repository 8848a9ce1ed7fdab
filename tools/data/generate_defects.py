"""Generate a synthetic defect dataset in the KolektorSDD2 layout.

Example (about 300 images of 128 px in a few seconds)::

    python tools/data/generate_defects.py data/synthetic_defects \
        --num-train 200 --num-test 100 --size 128 --seed 0

The split ``train`` carries the shortcut cue (corner stamp) correlated with the
label (``--cue-prob`` on defect images, ``--cue-prob-normal`` on normal ones);
``test`` carries it with ``--test-cue-prob`` whatever the label (default 0).
See :mod:`mtl_plugin.datasets.synthetic.defect_generator`.
"""
import argparse
import json
import time


def parse_args(argv=None):
    from mtl_plugin.datasets.synthetic.defect_generator import DEFECT_KINDS
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out_dir', help='output folder (gets train/ test/ '
                   'generation_info.json)')
    p.add_argument('--num-train', type=int, default=200)
    p.add_argument('--num-test', type=int, default=100)
    p.add_argument('--size', type=int, nargs='+', default=[128],
                   help='image size: S, or H W (pixels)')
    p.add_argument('--defect-ratio', type=float, default=0.5,
                   help='fraction of images with at least one defect')
    p.add_argument('--max-defects', type=int, default=2,
                   help='defects per defect image: 1..N')
    p.add_argument('--kinds', nargs='+', default=list(DEFECT_KINDS),
                   choices=DEFECT_KINDS)
    p.add_argument('--cue-prob', type=float, default=0.95,
                   help='train: P(cue | defect image)')
    p.add_argument('--cue-prob-normal', type=float, default=0.05,
                   help='train: P(cue | normal image)')
    p.add_argument('--test-cue-prob', type=float, default=0.0,
                   help='test: P(cue) for any image')
    p.add_argument('--cue-size', type=int, default=0,
                   help='stamp side in pixels (0: min(H, W) // 16)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.datasets.synthetic.defect_generator import (
        DefectGeneratorConfig, generate_defect_dataset)
    if len(args.size) not in (1, 2):
        raise SystemExit('--size takes one value (square) or two (H W)')
    height, width = (args.size * 2)[:2]
    cfg = DefectGeneratorConfig(
        height=height, width=width, num_train=args.num_train,
        num_test=args.num_test, defect_ratio=args.defect_ratio,
        max_defects=args.max_defects, defect_kinds=tuple(args.kinds),
        cue_prob=args.cue_prob, cue_prob_normal=args.cue_prob_normal,
        test_cue_prob=args.test_cue_prob, cue_size=args.cue_size, seed=args.seed)
    start = time.perf_counter()
    summary = generate_defect_dataset(cfg, args.out_dir,
                                      progress=not args.no_progress)
    elapsed = time.perf_counter() - start
    print(json.dumps(summary, indent=2))
    total = args.num_train + args.num_test
    print(f'wrote {total} images to {args.out_dir} in {elapsed:.1f} s')


if __name__ == '__main__':
    main()
