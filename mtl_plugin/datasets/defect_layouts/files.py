"""What a layout scanner yields, and the file-name helpers the scanners share.

A scanner walks one split of a dataset folder and yields, in file order,
either a :class:`Candidate` (an image, its mask file if any, and the label its
folder claims) or a :class:`~mtl_plugin.datasets.defect_mask_io.DefectDataError`
for a problem it sees from the file names alone (a missing or an extra mask).
It reads no pixels: :class:`~mtl_plugin.datasets.DefectDataset` checks each
candidate and applies the skip policy to both kinds of entry.
"""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Union

from ..defect_mask_io import DefectDataError

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
SPLITS = ('train', 'val', 'test')


class Candidate(NamedTuple):
    """One image of a split, before its files are checked.

    ``folder_label``: the label the folder claims (0 normal, 1 defect), or
    ``None`` when the mask decides (KolektorSDD2). ``mask_path`` is ``None``
    for an image without mask file.
    """
    img_path: str
    mask_path: Optional[str]
    folder_label: Optional[int]
    defect_type: str


Entry = Union[Candidate, DefectDataError]


def images_in(folder: str) -> List[str]:
    """Sorted image file names of ``folder`` (hidden files left out)."""
    return sorted(f for f in os.listdir(folder)
                  if f.lower().endswith(IMG_EXTENSIONS) and not f.startswith('.'))


def stem(name: str) -> str:
    """File name without extension."""
    return osp.splitext(name)[0]


def mask_key(name: str) -> str:
    """Stem of the image a mask file belongs to (``<stem>[_mask].<ext>``)."""
    s = stem(name)
    return s[:-5] if s.endswith('_mask') else s


def extra_masks(paths: List[str], what: str) -> List[DefectDataError]:
    """Errors for mask files whose image is absent (``what``: where it was
    looked for)."""
    return [DefectDataError(path, f'extra mask: no image {what}') for path in paths]
