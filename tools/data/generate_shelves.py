"""Generate synthetic dense shelves in the SKU-110K layout.

    python tools/data/generate_shelves.py data/shelves --num-train 200 \
        --num-val 20 --width 512 --height 512 --min-objects 100 --max-objects 400

Writes ``<out>/images/*.jpg`` and ``<out>/annotations/annotations_<split>.csv``
(``image_name,x1,y1,x2,y2,class,image_width,image_height``), which
``SKU110KDataset`` and ``tools/dataset_converters/sku110k_to_coco.py`` read
exactly like the real dataset.
"""
import argparse

from mtl_plugin.datasets.synthetic.dense_shelf_generator import \
    write_shelf_split


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument('--num-train', type=int, default=200)
    parser.add_argument('--num-val', type=int, default=20)
    parser.add_argument('--num-test', type=int, default=0)
    parser.add_argument('--width', type=int, default=512)
    parser.add_argument('--height', type=int, default=512)
    parser.add_argument('--min-objects', type=int, default=100)
    parser.add_argument('--max-objects', type=int, default=400)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    splits = [('train', args.num_train), ('val', args.num_val),
              ('test', args.num_test)]
    for offset, (split, num) in enumerate(splits):
        if num <= 0:
            continue
        print(f'{split}: {num} images')
        path = write_shelf_split(
            args.out_dir, split, num, seed=args.seed + 1000 * offset,
            width=args.width, height=args.height,
            num_objects=(args.min_objects, args.max_objects))
        print(f'\nwrote {path}')


if __name__ == '__main__':
    main()
