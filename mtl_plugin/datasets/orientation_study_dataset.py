"""Dataset of the 3-task 32x32 study (shape, orientation bin, intensity)."""
import os.path as osp
from typing import Dict

from mmengine.dataset import BaseDataset

from mtl_plugin.registry import DATASETS


@DATASETS.register_module()
class OrientationStudyDataset(BaseDataset):
    """mmengine JSON annotation (``{"metainfo": ..., "data_list": [...]}``).

    Each item: ``img_path`` (relative to ``data_prefix['img_path']``),
    ``shape`` (int in ``[0, num_shapes)``), ``orientation`` (int bin in
    ``[0, num_orientations)``), ``intensity`` (float in [0, 1]). They become
    ``gt_shape``, ``gt_orientation``, ``gt_intensity`` of the sample (pack
    with ``PackMultiTaskInputs(label_keys=('gt_shape', 'gt_orientation'),
    float_keys=('gt_intensity',))``). Out-of-range values or a missing image
    raise ``ValueError`` / ``FileNotFoundError`` naming the file.
    """

    METAINFO = dict(num_shapes=10, num_orientations=32)

    def parse_data_info(self, raw_data_info: Dict) -> Dict:
        info = super().parse_data_info(raw_data_info)
        where = f'{self.ann_file}: item {raw_data_info.get("img_path")!r}'
        for key, n in (('shape', self.metainfo['num_shapes']),
                       ('orientation', self.metainfo['num_orientations'])):
            value = info.get(key)
            if not isinstance(value, int) or not 0 <= value < n:
                raise ValueError(f'{where}: {key}={value!r}, expected an int '
                                 f'in [0, {n})')
            info[f'gt_{key}'] = value
        value = info.get('intensity')
        if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise ValueError(f'{where}: intensity={value!r}, expected a float '
                             'in [0, 1]')
        info['gt_intensity'] = float(value)
        if not osp.isfile(info['img_path']):
            raise FileNotFoundError(f'{where}: image {info["img_path"]!r} '
                                    'does not exist')
        return info
