"""Generate the 3-task 32x32 study data (shape, orientation bin, intensity).

    python tools/data/generate_orientation_study.py [--out data/orientation_study]
        [--num-train 6000] [--num-val 1000] [--seed 0]
"""
import argparse

from mtl_plugin.datasets.synthetic.orientation_study import \
    generate_orientation_study


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/orientation_study')
    parser.add_argument('--num-train', type=int, default=6000)
    parser.add_argument('--num-val', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate_orientation_study(args.out, args.num_train, args.num_val,
                                       seed=args.seed)
    print('\nwrote', ', '.join(paths.values()))


if __name__ == '__main__':
    main()
