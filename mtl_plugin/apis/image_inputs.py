"""The inputs a user names, as the inferencers and ``tools/infer.py`` take
them: image files, folders (expanded, mask files left out) and arrays."""
import fnmatch
import os.path as osp
from typing import List, Sequence, Tuple, Union

import numpy as np

from mtl_plugin.datasets.defect_layouts.files import IMG_EXTENSIONS, images_in

#: mask files of the dataset layouts the plugin reads (KolektorSDD2
#: ``<stem>_GT.png``, MVTec AD ``<stem>_mask.png``)
MASK_PATTERNS = ('*_GT.*', '*_mask.*')

InputItem = Union[str, np.ndarray]


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


def input_stem(item: InputItem, index: int) -> str:
    """Output name of an input: the file stem, ``array_<index>`` for an array."""
    if isinstance(item, str):
        return osp.splitext(osp.basename(item))[0]
    return f'array_{index}'


def collect_inputs(inputs: Union[InputItem, Sequence[InputItem]],
                   exclude: Sequence[str] = MASK_PATTERNS,
                   owner: str = 'inference'
                   ) -> Tuple[List[InputItem], List[str]]:
    """The images of ``inputs`` and the folder files left out.

    ``inputs``: a path or an ``(H, W, 3)`` / ``(H, W)`` uint8 array, or a
    list of them. A folder gives its image files (sorted) except those whose
    name matches a pattern of ``exclude`` (default: the dataset layouts'
    mask files); a file named on its own is kept whatever its name.

    Returns:
        ``(items, excluded)``: paths and arrays in order, and the folder
        files left out by ``exclude``.

    Raises:
        FileNotFoundError: a path that is neither a file nor a folder (named),
            or no image at all (with how many ``exclude`` left out).
        ValueError: two inputs with the same file name (outputs are named by
            it), or an array that is not an image.
    """
    given = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    items: List[InputItem] = []
    excluded: List[str] = []
    for item in given:
        if isinstance(item, np.ndarray):
            if not (item.ndim == 2 or (item.ndim == 3 and item.shape[2] == 3)):
                raise ValueError(f'{owner}: array inputs must be (H, W, 3) BGR or '
                                 f'(H, W) grey, got shape {item.shape}')
            items.append(item)
        elif osp.isdir(item):
            kept, left_out = list_images(item, exclude)
            items += kept
            excluded += left_out
        elif osp.isfile(item):
            items.append(item)
        else:
            raise FileNotFoundError(f'{owner}: input {item!r} is not a file or folder')
    stems = [input_stem(item, i) for i, item in enumerate(items)]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise ValueError(f'{owner}: several inputs share the file name(s) '
                         f'{clash[:5]}; outputs are named by file stem')
    if not items:
        raise FileNotFoundError(
            f'{owner}: no image files ({", ".join(IMG_EXTENSIONS)}) in {given}'
            + (f' ({len(excluded)} left out by --exclude {" ".join(exclude)})'
               if excluded else ''))
    return items, excluded
