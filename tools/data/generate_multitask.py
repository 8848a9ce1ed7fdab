"""Generate the synthetic multi-task scenes (boxes + masks + image label).

    python tools/data/generate_multitask.py [--out data/synthetic_multitask]
        [--num-train 400] [--num-val 100] [--size 64] [--seed 0]
"""
import argparse

from mtl_plugin.datasets.synthetic.multitask_scenes import \
    generate_multitask_dataset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/synthetic_multitask')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=100)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate_multitask_dataset(args.out, args.num_train, args.num_val,
                                       args.size, args.seed)
    print('\nwrote', ', '.join(paths.values()))


if __name__ == '__main__':
    main()
