"""COCO boxes + semantic-mask PNGs + an image-level label, in one dataset."""
import os.path as osp
from typing import Dict, List, Union

from mmdet.datasets import CocoDataset
from PIL import Image

from mtl_plugin.registry import DATASETS

#: Tolerance (pixels) for boxes touching the image border after rounding.
BOX_TOLERANCE = 0.5


@DATASETS.register_module()
class MultiTaskDataset(CocoDataset):
    """mmdet ``CocoDataset`` whose images also carry a mask and a label.

    Layout (``data_prefix=dict(img='images/train/', seg='masks/train/')``)::

        annotations/train.json   COCO: images[i] has file_name, width, height
                                 and ``image_label`` (a name of
                                 ``metainfo['image_classes']``); annotations
                                 hold the boxes (xywh, pixels).
        images/train/<name>.png  RGB image.
        masks/train/<name>.png   single-channel class ids (H, W), 0 =
                                 background, ids index ``seg_classes``.

    ``metainfo`` keys: ``classes`` (detection categories, COCO names),
    ``seg_classes`` (segmentation classes, background first; read by
    :class:`MultiTaskIoUMetric`), ``image_classes`` (image labels).

    Each data info gets ``gt_label`` (index into ``image_classes``), which
    :class:`PackMultiTaskInputs` packs. Malformed input raises
    ``ValueError`` / ``FileNotFoundError`` naming the file: a box outside its
    image, a label not in ``image_classes``, a missing image or mask, an
    image or mask whose size differs from the JSON ``width``/``height``
    (sizes are read from the file headers at init; set ``check_files=False``
    to skip the file checks on very large sets).

    Args:
        check_files: open the image and mask headers at init.
        **kwargs: ``CocoDataset`` arguments.
    """

    METAINFO = dict(classes=(), seg_classes=(), image_classes=(), palette=None)

    def __init__(self, *args, check_files: bool = True, **kwargs) -> None:
        self.check_files = check_files
        super().__init__(*args, **kwargs)

    def parse_data_info(self, raw_data_info: dict) -> Union[Dict, List[Dict]]:
        img_info = raw_data_info['raw_img_info']
        name = img_info.get('file_name', '<no file_name>')
        where = f'{self.ann_file}: image {name!r}'
        image_classes = list(self.metainfo.get('image_classes') or ())
        if 'image_label' not in img_info:
            raise ValueError(f'{where} has no "image_label" (expected one of '
                             f'{image_classes})')
        if img_info['image_label'] not in image_classes:
            raise ValueError(f'{where}: image_label '
                             f'{img_info["image_label"]!r} is not in '
                             f'image_classes {image_classes}')
        width, height = img_info['width'], img_info['height']
        for ann in raw_data_info['raw_ann_info']:
            x, y, w, h = ann['bbox']
            if (x < -BOX_TOLERANCE or y < -BOX_TOLERANCE
                    or x + w > width + BOX_TOLERANCE
                    or y + h > height + BOX_TOLERANCE):
                raise ValueError(
                    f'{where}: box {ann["bbox"]} (annotation id '
                    f'{ann.get("id")}) lies outside the {width}x{height} image')
        data_info = super().parse_data_info(raw_data_info)
        data_info['gt_label'] = image_classes.index(img_info['image_label'])
        if self.check_files:
            self._check_file(data_info['img_path'], 'image', width, height)
            if data_info.get('seg_map_path'):
                self._check_file(data_info['seg_map_path'], 'mask', width,
                                 height)
        return data_info

    def _check_file(self, path: str, kind: str, width: int, height: int) -> None:
        if not osp.isfile(path):
            raise FileNotFoundError(f'{self.ann_file}: {kind} file {path!r} '
                                    'does not exist')
        with Image.open(path) as im:
            size = im.size
        if size != (width, height):
            raise ValueError(f'{kind} {path!r} is {size[0]}x{size[1]} but '
                             f'{self.ann_file} says {width}x{height}')
