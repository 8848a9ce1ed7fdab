"""Folder layout of public GAIN-MTL code::

    images/<split>/normal/<name>      images/<split>/defective/<name>
    masks/defective/<stem>[_mask].<ext>   (one mask per defective image)

The label is the folder; the mask must agree (a defective image's mask has
foreground; a normal image has no mask in ``masks/defective``). The masks of
every split share ``masks/defective``.
"""
import os.path as osp
from typing import Iterator, List

from ..defect_mask_io import DefectDataError
from .files import SPLITS, Candidate, Entry, extra_masks, images_in, mask_key, stem


class GainMTLLayout:
    """Scanner of the GAIN-MTL folder layout (see the module docstring)."""

    name = 'gain_mtl'

    @staticmethod
    def matches(root: str) -> bool:
        return osp.isdir(osp.join(root, 'images')) and osp.isdir(osp.join(root, 'masks'))

    @staticmethod
    def splits_on_disk(root: str) -> List[str]:
        base = osp.join(root, 'images')
        return [s for s in SPLITS if osp.isdir(osp.join(base, s))]

    @classmethod
    def scan(cls, root: str, split: str) -> Iterator[Entry]:
        img_dir = osp.join(root, 'images', split)
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'DefectDataset (gain_mtl): split folder '
                                    f'{img_dir} does not exist')
        mask_dir = osp.join(root, 'masks', 'defective')
        masks = ({mask_key(f): f for f in images_in(mask_dir)}
                 if osp.isdir(mask_dir) else {})
        # A mask is "extra" only when no split has its defective image.
        all_defective = set()
        for s in cls.splits_on_disk(root):
            d = osp.join(root, 'images', s, 'defective')
            if osp.isdir(d):
                all_defective |= {stem(f) for f in images_in(d)}
        for sub, label in (('normal', 0), ('defective', 1)):
            folder = osp.join(img_dir, sub)
            if not osp.isdir(folder):
                continue
            for name in images_in(folder):
                img_path = osp.join(folder, name)
                mask = masks.get(stem(name))
                if label == 0 and mask is not None:
                    yield DefectDataError(
                        img_path, f'normal image has a defect mask '
                        f'{osp.join(mask_dir, mask)}; refusing to guess the label')
                    continue
                mask_path = osp.join(mask_dir, mask) if mask else None
                yield Candidate(img_path, mask_path, label, 'defective')
        yield from extra_masks([osp.join(mask_dir, f) for s, f in sorted(masks.items())
                                if s not in all_defective],
                               'of that name in images/<split>/defective')
