"""Generate a synthetic defect dataset in the KolektorSDD2 layout.

Example (about 300 images of 128 px in a few seconds)::

    python tools/data/generate_defects.py data/synthetic_defects \
        --num-train 200 --num-test 100 --size 128 --seed 0 [--family textile]

Families (``--family``): ``metal`` (default; grey brushed-metal surfaces,
scratches / spots / cracks / stains, shortcut cue = a stamp in the top-left
corner), ``textile`` (woven greige fabric, holes / missing threads / knots /
oil spots, shortcut cue = a global colour cast) and ``photo`` (real texture
photographs shipped with scikit-image, hairline scratches / faint stains /
fine crack networks, shortcut cue chosen with ``--shortcut stamp|global|surface``:
a corner stamp, a warm colour cast, or one surface that carries most of the
defects). The split ``train`` carries the cue correlated with the label
(``--cue-prob`` on defect images, ``--cue-prob-normal`` on normal ones);
``test`` carries it with ``--test-cue-prob`` whatever the label (default 0).
Images depend only on the parameters, and the cue rates change nothing but
the cue: ``--cue-prob 0.5 --cue-prob-normal 0.5`` writes the same train images
with a cue independent of the label (an unbiased "oracle" twin of the set;
under ``--shortcut surface`` the images whose cue flips show another surface).
See docs/defect_families.md and the generator modules in
:mod:`mtl_plugin.datasets.synthetic`.
"""
import argparse
import json
import time

# option -> (config field, the families it applies to)
FAMILY_OPTIONS = dict(cue_size=('cue_size', ('metal', 'photo')),
                      cue_strength=('cue_strength', ('textile', 'photo')),
                      shortcut=('shortcut', ('photo',)),
                      surfaces=('surfaces', ('photo',)),
                      cue_surface=('cue_surface', ('photo',)))


def parse_args(argv=None):
    from mtl_plugin.datasets.synthetic.defect_families import DEFECT_FAMILIES
    from mtl_plugin.datasets.synthetic.photo_defect_generator import SHORTCUT_KINDS
    from mtl_plugin.datasets.synthetic.photo_surfaces import PHOTO_SURFACES
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out_dir', help='output folder (gets train/ test/ '
                   'generation_info.json)')
    p.add_argument('--family', default='metal', choices=sorted(DEFECT_FAMILIES),
                   help='defect family (surfaces, defect kinds and cue)')
    p.add_argument('--num-train', type=int, default=200)
    p.add_argument('--num-test', type=int, default=100)
    p.add_argument('--size', type=int, nargs='+', default=[128],
                   help='image size: S, or H W (pixels)')
    p.add_argument('--defect-ratio', type=float, default=0.5,
                   help='fraction of images with at least one defect')
    p.add_argument('--max-defects', type=int, default=2,
                   help='defects per defect image: 1..N')
    kinds = ', '.join(f'{name}: {" ".join(f.kinds)}'
                      for name, f in sorted(DEFECT_FAMILIES.items()))
    p.add_argument('--kinds', nargs='+', default=None,
                   help=f'defect kinds (default: all of the family; {kinds})')
    p.add_argument('--cue-prob', type=float, default=0.95,
                   help='train: P(cue | defect image)')
    p.add_argument('--cue-prob-normal', type=float, default=0.05,
                   help='train: P(cue | normal image)')
    p.add_argument('--test-cue-prob', type=float, default=0.0,
                   help='test: P(cue) for any image')
    p.add_argument('--cue-size', type=int, default=None,
                   help='metal, photo --shortcut stamp: stamp side in pixels '
                   '(default 0: min(H, W) // 16)')
    p.add_argument('--cue-strength', type=int, default=None,
                   help='textile: colour cast in grey levels (+ blue, - red; '
                   'default 10); photo --shortcut global: (+ red, - blue; default 8)')
    p.add_argument('--shortcut', default=None, choices=SHORTCUT_KINDS,
                   help='photo: the shortcut cue (default stamp): a corner stamp, '
                   'a global colour cast, or the flagged surface (--cue-surface)')
    p.add_argument('--surfaces', nargs='+', default=None,
                   help=f'photo: surfaces to draw from (default: all of '
                   f'{" ".join(PHOTO_SURFACES)})')
    p.add_argument('--cue-surface', default=None,
                   help='photo --shortcut surface: the surface that carries the '
                   'cue (default: the first of --surfaces)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def build_config(args):
    """The family's generator config from the parsed options; SystemExit with
    the option's name on a bad value."""
    from mtl_plugin.datasets.synthetic.defect_families import get_family
    family = get_family(args.family)
    if len(args.size) not in (1, 2):
        raise SystemExit('--size takes one value (square) or two (H W)')
    height, width = (args.size * 2)[:2]
    kwargs = dict(
        height=height, width=width, num_train=args.num_train,
        num_test=args.num_test, defect_ratio=args.defect_ratio,
        max_defects=args.max_defects,
        defect_kinds=tuple(args.kinds or family.kinds),
        cue_prob=args.cue_prob, cue_prob_normal=args.cue_prob_normal,
        test_cue_prob=args.test_cue_prob, seed=args.seed)
    for option, (field, owners) in FAMILY_OPTIONS.items():
        value = getattr(args, option)
        if value is None:
            continue
        if args.family not in owners:
            raise SystemExit(f'--{option.replace("_", "-")} applies to '
                             f'--family {" or ".join(owners)} only, not {args.family}')
        kwargs[field] = tuple(value) if isinstance(value, list) else value
    try:
        return family.config(**kwargs)
    except ValueError as exc:
        raise SystemExit(f'generate_defects.py --family {args.family}: {exc}') from exc


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.datasets.synthetic.defect_families import get_family
    cfg = build_config(args)
    start = time.perf_counter()
    summary = get_family(args.family).generate_dataset(
        cfg, args.out_dir, progress=not args.no_progress)
    elapsed = time.perf_counter() - start
    print(json.dumps(summary, indent=2))
    total = args.num_train + args.num_test
    print(f'wrote {total} images ({args.family}) to {args.out_dir} in {elapsed:.1f} s')


if __name__ == '__main__':
    main()
