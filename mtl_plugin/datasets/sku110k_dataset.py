"""SKU-110K annotations: the official CSV format and an mmdet dataset reading it.

Each CSV row is one box (no header in the official files; a header row
starting with ``image_name`` is accepted)::

    image_name,x1,y1,x2,y2,class,image_width,image_height

Coordinates are pixels of the original image. Loading clips boxes to the
image (counted), drops boxes of zero area after clipping (counted), and
reports image files that are missing by name.
"""
import csv
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from mmdet.datasets import BaseDetDataset
from mmengine.logging import MMLogger

from mtl_plugin.registry import DATASETS

CSV_COLUMNS = ('image_name', 'x1', 'y1', 'x2', 'y2', 'class', 'image_width',
               'image_height')


@dataclass
class SKU110KImage:
    """Annotations of one image: ``boxes`` ``[x1, y1, x2, y2]`` pixels and
    their class names, after clipping and zero-area removal."""
    name: str
    width: int
    height: int
    boxes: List[List[float]] = field(default_factory=list)
    classes: List[str] = field(default_factory=list)


@dataclass
class SKU110KLoadStats:
    """What loading changed: boxes clipped to the image, boxes of zero (or
    negative) area after clipping dropped, and image files not found (names)."""
    num_rows: int = 0
    num_clipped: int = 0
    num_zero_area: int = 0
    missing_images: List[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f'{self.num_rows} boxes read, {self.num_clipped} clipped to '
                f'the image, {self.num_zero_area} zero-area boxes dropped, '
                f'{len(self.missing_images)} images missing')


def _number(path: str, lineno: int, column: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f'{path}:{lineno}: column {column!r} is {text!r}, '
                         'expected a number') from None


def parse_sku110k_csv(
        path: str) -> Tuple[Dict[str, SKU110KImage], SKU110KLoadStats]:
    """Read an SKU-110K CSV file.

    Args:
        path: CSV file with rows ``image_name,x1,y1,x2,y2,class,image_width,
            image_height``.

    Returns:
        ``{image_name: SKU110KImage}`` in file order, and the load statistics
        (``missing_images`` is left empty: the caller knows the image folder).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: a row has the wrong number of columns, a non-numeric or
            non-positive size, a non-numeric coordinate, or an image whose
            size differs between rows; the message names file and line.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'SKU-110K annotation file not found: {path}')
    images: Dict[str, SKU110KImage] = {}
    stats = SKU110KLoadStats()
    with open(path, newline='') as f:
        for lineno, row in enumerate(csv.reader(f), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if lineno == 1 and row[0].strip() == 'image_name':
                continue
            if len(row) != len(CSV_COLUMNS):
                raise ValueError(
                    f'{path}:{lineno}: expected {len(CSV_COLUMNS)} columns '
                    f'({",".join(CSV_COLUMNS)}), got {len(row)}: {row!r}')
            name, cls = row[0].strip(), row[5].strip()
            x1, y1, x2, y2 = (_number(path, lineno, c, t)
                              for c, t in zip(CSV_COLUMNS[1:5], row[1:5]))
            width, height = (_number(path, lineno, c, t)
                             for c, t in zip(CSV_COLUMNS[6:], row[6:]))
            if width <= 0 or height <= 0 or width != int(width) \
                    or height != int(height):
                raise ValueError(
                    f'{path}:{lineno}: image size {row[6]}x{row[7]} of '
                    f'{name!r} is not a positive integer size')
            width, height = int(width), int(height)
            image = images.get(name)
            if image is None:
                image = images[name] = SKU110KImage(name, width, height)
            elif (image.width, image.height) != (width, height):
                raise ValueError(
                    f'{path}:{lineno}: image {name!r} has size '
                    f'{width}x{height} here but {image.width}x{image.height} '
                    'in an earlier row')
            stats.num_rows += 1
            cx1, cy1 = min(max(x1, 0.), width), min(max(y1, 0.), height)
            cx2, cy2 = min(max(x2, 0.), width), min(max(y2, 0.), height)
            if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
                stats.num_clipped += 1
            if cx2 <= cx1 or cy2 <= cy1:
                stats.num_zero_area += 1
                continue
            image.boxes.append([cx1, cy1, cx2, cy2])
            image.classes.append(cls)
    return images, stats


def find_missing_images(images: Sequence[str], img_dir: str) -> List[str]:
    """Names in ``images`` without a file in ``img_dir``."""
    return [name for name in images if not osp.isfile(osp.join(img_dir, name))]


@DATASETS.register_module()
class SKU110KDataset(BaseDetDataset):
    """Densely packed retail products from SKU-110K-format CSV annotations.

    Args:
        ann_file: the CSV file (relative to ``data_root`` when set).
        data_prefix: ``dict(img=<image folder>)``.
        missing_images: ``'error'`` raises when an annotated image file is
            missing (the message lists the names); ``'skip'`` logs the names
            and leaves those images out.
        **kwargs: :class:`mmdet.datasets.BaseDetDataset` arguments
            (``pipeline``, ``filter_cfg``, ``test_mode``, ...).

    After loading, ``self.load_stats`` (:class:`SKU110KLoadStats`) says how
    many boxes were clipped or dropped and which images were missing.
    """

    METAINFO = dict(classes=('object', ), palette=[(220, 20, 60)])

    def __init__(self, *args, missing_images: str = 'error', **kwargs) -> None:
        if missing_images not in ('error', 'skip'):
            raise ValueError("SKU110KDataset: missing_images must be 'error' "
                             f"or 'skip', got {missing_images!r}")
        self.missing_images = missing_images
        self.load_stats: Optional[SKU110KLoadStats] = None
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        images, stats = parse_sku110k_csv(self.ann_file)
        img_dir = self.data_prefix.get('img', '')
        stats.missing_images = find_missing_images(images, img_dir)
        logger = MMLogger.get_current_instance()
        if stats.missing_images:
            shown = ', '.join(stats.missing_images[:20])
            more = len(stats.missing_images) - 20
            msg = (f'{len(stats.missing_images)} images of {self.ann_file} are '
                   f'missing in {img_dir!r}: {shown}'
                   + (f' (and {more} more)' if more > 0 else ''))
            if self.missing_images == 'error':
                raise FileNotFoundError(msg)
            logger.warning(msg + '; skipped')
        self.load_stats = stats
        logger.info(f'SKU110KDataset {self.ann_file}: {stats.summary()}')

        classes = list(self.metainfo['classes'])
        missing = set(stats.missing_images)
        data_list = []
        for img_id, image in enumerate(images.values()):
            if image.name in missing:
                continue
            instances = []
            for box, cls in zip(image.boxes, image.classes):
                if cls not in classes:
                    raise ValueError(
                        f'{self.ann_file}: image {image.name!r} has class '
                        f'{cls!r}, expected one of {classes}')
                instances.append(dict(bbox=box, bbox_label=classes.index(cls),
                                      ignore_flag=0))
            data_list.append(dict(
                img_path=osp.join(img_dir, image.name), img_id=img_id,
                width=image.width, height=image.height, instances=instances))
        return data_list

    def filter_data(self) -> List[dict]:
        """Drop images without boxes when ``filter_cfg.filter_empty_gt``
        (and not ``test_mode``), and images smaller than ``filter_cfg.min_size``."""
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        filter_empty = self.filter_cfg.get('filter_empty_gt', False)
        min_size = self.filter_cfg.get('min_size', 0)
        return [d for d in self.data_list
                if (not filter_empty or d['instances'])
                and min(d['width'], d['height']) >= min_size]
