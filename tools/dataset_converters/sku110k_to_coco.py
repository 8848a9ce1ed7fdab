"""Convert SKU-110K CSV annotations to a COCO-style JSON file.

    python tools/dataset_converters/sku110k_to_coco.py \
        data/SKU110K_fixed/annotations/annotations_val.csv \
        data/SKU110K_fixed/annotations/val_coco.json \
        --img-dir data/SKU110K_fixed/images [--skip-missing]

Boxes are clipped to the image and zero-area boxes dropped (both counted, as
``SKU110KDataset`` does); image ids are the 0-based order of first appearance
in the CSV, the ``img_id`` ``SKU110KDataset`` gives each image, so the JSON can
serve as ``ann_file`` of mmdet's ``CocoMetric`` for that dataset. With
``--img-dir``, images without a file are reported by name (error, or left out
with ``--skip-missing``).
"""
import argparse
import json
import os
import os.path as osp
import sys

from mmengine.utils import ProgressBar

from mtl_plugin.datasets.sku110k_dataset import find_missing_images, parse_sku110k_csv


def convert(csv_path: str, img_dir: str = None,
            skip_missing: bool = False) -> dict:
    """COCO dict for ``csv_path``; raises FileNotFoundError on missing images
    unless ``skip_missing``."""
    images, stats = parse_sku110k_csv(csv_path)
    missing = set()
    if img_dir is not None:
        stats.missing_images = find_missing_images(images, img_dir)
        missing = set(stats.missing_images)
        if missing and not skip_missing:
            raise FileNotFoundError(
                f'{len(missing)} images of {csv_path} are missing in '
                f'{img_dir}: {", ".join(stats.missing_images[:20])}')
    coco = dict(images=[], annotations=[],
                categories=[dict(id=1, name='object')])
    classes = {'object': 1}
    bar = ProgressBar(len(images))
    for img_id, image in enumerate(images.values()):
        bar.update()
        if image.name in missing:
            continue
        coco['images'].append(dict(id=img_id, file_name=image.name,
                                   width=image.width, height=image.height))
        for (x1, y1, x2, y2), cls in zip(image.boxes, image.classes):
            if cls not in classes:
                raise ValueError(f'{csv_path}: image {image.name!r} has class '
                                 f"{cls!r}, expected 'object'")
            coco['annotations'].append(dict(
                id=len(coco['annotations']) + 1, image_id=img_id,
                category_id=classes[cls], bbox=[x1, y1, x2 - x1, y2 - y1],
                area=(x2 - x1) * (y2 - y1), iscrowd=0))
    print(f'\n{csv_path}: {stats.summary()}')
    if missing:
        print(f'missing images (left out): {", ".join(sorted(missing))}')
    return coco


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('csv', help='SKU-110K annotation CSV')
    parser.add_argument('out', help='output COCO JSON')
    parser.add_argument('--img-dir', help='image folder, to report missing '
                        'images')
    parser.add_argument('--skip-missing', action='store_true',
                        help='leave missing images out instead of failing')
    args = parser.parse_args(argv)
    try:
        coco = convert(args.csv, args.img_dir, args.skip_missing)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(coco, f)
    print(f'wrote {len(coco["images"])} images, {len(coco["annotations"])} '
          f'boxes to {args.out}')


if __name__ == '__main__':
    main()
