"""KolektorSDD2 layout: ``<split>/<id>.png`` + ``<split>/<id>_GT.png``.

Every image has a mask; the label is *defect iff the mask has any foreground
pixel* (the folder claims nothing).
"""
import os.path as osp
from typing import Iterator, List

from ..defect_mask_io import DefectDataError
from .files import SPLITS, Candidate, Entry, extra_masks, images_in, stem


class KolektorSDD2Layout:
    """Scanner of the KolektorSDD2 layout (see the module docstring)."""

    name = 'kolektorsdd2'

    @staticmethod
    def matches(root: str) -> bool:
        """A split folder holds at least one ``*_GT`` file."""
        for split in SPLITS:
            folder = osp.join(root, split)
            if osp.isdir(folder) and any(
                    stem(f).endswith('_GT') for f in images_in(folder)):
                return True
        return False

    @staticmethod
    def splits_on_disk(root: str) -> List[str]:
        return [s for s in SPLITS if osp.isdir(osp.join(root, s))]

    @staticmethod
    def scan(root: str, split: str) -> Iterator[Entry]:
        folder = osp.join(root, split)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'DefectDataset (kolektorsdd2): split folder '
                                    f'{folder} does not exist')
        files = images_in(folder)
        masks = {stem(f)[:-3]: f for f in files if stem(f).endswith('_GT')}
        for name in (f for f in files if not stem(f).endswith('_GT')):
            img_path = osp.join(folder, name)
            mask = masks.pop(stem(name), None)
            if mask is None:
                yield DefectDataError(img_path, f'missing mask {stem(name)}_GT.png '
                                      '(kolektorsdd2 needs one per image)')
                continue
            yield Candidate(img_path, osp.join(folder, mask), None, 'defect')
        yield from extra_masks([osp.join(folder, m) for m in masks.values()],
                               f'<id>.png in {folder}')
