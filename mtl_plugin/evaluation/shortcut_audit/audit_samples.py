"""The images of the audit: network-input pixels and masks of a dataset split.

Each image goes through the dataset's own (test) pipeline up to its packing
transform (the first whose class name starts with ``Pack``: ours,
mmpretrain's ``PackInputs``, mmdet's ``PackDetInputs``...), so image and
mask are read, and resized, exactly as the model sees them at test time;
the packing transform is left out because the composites are built on the
``(H, W, C)`` uint8 image and the ``(H, W)`` mask it would pack
(``results['img']``, ``results['gt_seg_map']``, e.g. from
:class:`~mtl_plugin.datasets.transforms.LoadDefectMask`).
"""
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from mtl_plugin.apis.dataset import unwrap_dataset


@dataclass
class AuditSample:
    """One audited image.

    Attributes:
        index: index in the dataset.
        img_path: image file.
        image: ``(H, W, C)`` uint8 network-input pixels before normalisation
            (channel order as the pipeline loads them).
        mask: ``(H, W)`` bool defect mask (all False for a normal image).
        is_defect: the image's label is the defect class.
    """

    index: int
    img_path: str
    image: np.ndarray
    mask: np.ndarray
    is_defect: bool


def _label(info: dict, where: str) -> int:
    label = info.get('gt_label')
    if label is None:
        raise KeyError(f'{where}: data info has no gt_label; the audit needs '
                       'image labels (e.g. DefectDataset)')
    return int(np.asarray(label).reshape(-1)[0])


def select_indices(labels: Sequence[int], defect_class: int,
                   max_images: Optional[int]) -> List[int]:
    """Indices to audit: all, or at most ``max_images`` with half of them
    (rounded up) defect images and the rest normal (fewer of a class when
    the split has fewer), evenly spaced over each class in the dataset's
    order (deterministic: the same images at every call)."""
    if max_images is None or max_images >= len(labels):
        return list(range(len(labels)))
    defect = [i for i, y in enumerate(labels) if y == defect_class]
    normal = [i for i, y in enumerate(labels) if y != defect_class]
    num_defect = min(len(defect), (max_images + 1) // 2)
    num_normal = min(len(normal), max_images - num_defect)
    num_defect = min(len(defect), max_images - num_normal)

    def spread(items, count):
        if count <= 0:
            return []
        picks = np.linspace(0, len(items) - 1, count).round().astype(int)
        return [items[k] for k in picks]

    return sorted(spread(defect, num_defect) + spread(normal, num_normal))


def _transforms_until_packing(dataset: Any, where: str) -> list:
    pipeline = getattr(dataset, 'pipeline', None)
    transforms = getattr(pipeline, 'transforms', None)
    if transforms is None:
        raise TypeError(f'{where}: the dataset has no pipeline with transforms '
                        '(expected an mmengine BaseDataset)')
    kept = []
    for transform in transforms:
        if type(transform).__name__.startswith('Pack'):
            return kept
        kept.append(transform)
    return kept


def load_audit_samples(dataset: Any, defect_class: int,
                       max_images: Optional[int] = None,
                       where: str = 'dataset') -> Tuple[List[AuditSample], List[str]]:
    """Read the audited images of ``dataset`` through its pipeline.

    Args:
        dataset: an mmengine dataset (wrappers are unwrapped) whose data
            infos carry ``gt_label`` and whose pipeline loads the image and,
            for defect images, ``gt_seg_map``.
        defect_class: label of the defect images.
        max_images: see :func:`select_indices`.
        where: name of the dataset in error messages (config and split).

    Returns:
        ``(samples, skipped)``: the audit samples and one message per image
        left out (a defect image without a mask, as in mixed supervision,
        or whose mask vanished in the resize).

    Raises:
        KeyError / ValueError naming the image: a defect image whose
        pipeline gives no ``gt_seg_map`` although it has a mask, an image
        that is not uint8, a mask of another size than its image.
    """
    dataset = unwrap_dataset(dataset)
    transforms = _transforms_until_packing(dataset, where)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    labels = [_label(info, f'{where}, image {i}') for i, info in enumerate(infos)]
    samples, skipped = [], []
    for index in select_indices(labels, defect_class, max_images):
        results = infos[index]
        for transform in transforms:
            results = transform(results)
            if results is None:
                break
        path = str(infos[index].get('img_path', f'image {index}'))
        if results is None:
            skipped.append(f'{path}: dropped by the pipeline')
            continue
        image = np.asarray(results['img'])
        if image.ndim == 2:
            image = image[..., None]
        if image.dtype != np.uint8:
            raise ValueError(f'{where}: {path} reaches the packing step as '
                             f'{image.dtype}; the audit composes uint8 pixels '
                             '(LoadImageFromFile without to_float32)')
        is_defect = labels[index] == defect_class
        mask = results.get('gt_seg_map')
        if is_defect and mask is None:
            if infos[index].get('has_mask', True) is False:
                skipped.append(f'{path}: defect image without a mask')
                continue
            raise KeyError(f'{where}: the pipeline gives no gt_seg_map for the '
                           f'defect image {path}; add dict(type="LoadDefectMask") '
                           '(mtl_plugin) after LoadImageFromFile in the test '
                           'pipeline')
        mask = (np.zeros(image.shape[:2], bool) if mask is None
                else np.asarray(mask) > 0)
        if mask.shape != image.shape[:2]:
            raise ValueError(f'{where}: mask of {path} is {mask.shape} at the '
                             f'network input, its image {image.shape[:2]}; the '
                             'pipeline must resize both')
        if is_defect and not mask.any():
            skipped.append(f'{path}: defect mask empty at the network input size')
            continue
        samples.append(AuditSample(index, path, np.ascontiguousarray(image), mask,
                                   is_defect))
    return samples, skipped
