"""Image files of the inputs a user names: files and folders, as
``tools/infer.py`` and the inferencers take them."""
import fnmatch
import os.path as osp
from typing import List, Sequence, Tuple

from mtl_plugin.datasets.defect_layouts.files import IMG_EXTENSIONS, images_in

#: mask files of the dataset layouts the plugin reads (KolektorSDD2
#: ``<stem>_GT.png``, MVTec AD ``<stem>_mask.png``)
MASK_PATTERNS = ('*_GT.*', '*_mask.*')


def list_images(folder: str, exclude: Sequence[str] = ()) -> Tuple[List[str], List[str]]:
    """Image files of ``folder`` (extensions ``IMG_EXTENSIONS``, hidden files
    left out), sorted, as ``(kept, excluded)`` paths; ``excluded`` are those
    whose file name matches a shell pattern of ``exclude`` (``fnmatch``)."""
    kept, excluded = [], []
    for name in images_in(folder):
        path = osp.join(folder, name)
        if not osp.isfile(path):
            continue
        hit = any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude)
        (excluded if hit else kept).append(path)
    return kept, excluded


def check_files(items: Sequence, owner: str) -> None:
    """``FileNotFoundError`` naming ``owner`` and the first string of
    ``items`` that is not a file (other items, e.g. arrays, pass)."""
    for item in items:
        if isinstance(item, str) and not osp.isfile(item):
            raise FileNotFoundError(f'{owner}: input {item!r} is not a file or folder')
