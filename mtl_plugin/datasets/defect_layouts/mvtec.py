"""MVTec AD layout: ``[<category>/]train/good/*``, ``test/<type>/*``,
``ground_truth/<type>/<stem>_mask.png``.

The label is *defect iff the folder is not* ``good``; every defect image needs
a mask with foreground, and ``good`` images have none. There is no ``val``
split on disk (carve one with ``val_ratio`` or ``resplit``).
"""
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence

from .files import Candidate, Entry, extra_masks, images_in, mask_key, stem


class MVTecLayout:
    """Scanner of the MVTec AD layout (see the module docstring).

    Args:
        categories: categories to read when ``root`` holds several; ``None``
            reads every category found (or ``root`` itself when it is one
            category's folder).
    """

    name = 'mvtec'

    def __init__(self, categories: Optional[Sequence[str]] = None) -> None:
        self.categories = categories

    @staticmethod
    def categories_in(root: str) -> List[str]:
        """Category folders of ``root`` (``['']`` when ``root`` is one)."""
        def is_category(path):
            return (osp.isdir(osp.join(path, 'train', 'good'))
                    or osp.isdir(osp.join(path, 'ground_truth')))
        if is_category(root):
            return ['']
        if not osp.isdir(root):
            return []
        return sorted(d for d in os.listdir(root) if is_category(osp.join(root, d)))

    @classmethod
    def matches(cls, root: str) -> bool:
        return bool(cls.categories_in(root))

    @staticmethod
    def splits_on_disk(root: str) -> List[str]:
        return ['train', 'test']

    def scan(self, root: str, split: str) -> Iterator[Entry]:
        found = self.categories_in(root)
        for cat in (self.categories if self.categories is not None else found):
            if cat not in found:
                raise FileNotFoundError(f'DefectDataset (mvtec): category {cat!r} not '
                                        f'found in {root} (found: {found})')
            yield from self._scan_category(osp.join(root, cat), split)

    @staticmethod
    def _scan_category(cat_dir: str, split: str) -> Iterator[Entry]:
        if split == 'val':
            raise FileNotFoundError(
                f'DefectDataset (mvtec): {cat_dir} has no val split; set val_ratio '
                'or resplit')
        split_dir = osp.join(cat_dir, split)
        if not osp.isdir(split_dir):
            raise FileNotFoundError(f'DefectDataset (mvtec): {split_dir} does not exist')
        gt_dir = osp.join(cat_dir, 'ground_truth')
        for dtype in sorted(os.listdir(split_dir)):
            folder = osp.join(split_dir, dtype)
            if not osp.isdir(folder):
                continue
            label = 0 if dtype == 'good' else 1
            mask_folder = osp.join(gt_dir, dtype)
            masks = ({mask_key(f): f for f in images_in(mask_folder)}
                     if osp.isdir(mask_folder) else {})
            for name in images_in(folder):
                mask = masks.pop(stem(name), None)
                mask_path = osp.join(mask_folder, mask) if mask else None
                yield Candidate(osp.join(folder, name), mask_path, label, dtype)
            if split == 'test':
                yield from extra_masks([osp.join(mask_folder, m) for m in masks.values()],
                                       f'of that name in {folder}')
