"""Image-level defect dataset (normal / defect + pixel mask) in three layouts.

The layouts (``'gain_mtl'``, ``'kolektorsdd2'``, ``'mvtec'``; ``layout='auto'``
detects them in that order) each have a scanner under
:mod:`mtl_plugin.datasets.defect_layouts` that lists a split's images, masks
and folder labels. This module holds what is common to all of them.

Checks, for every layout: readable image, no missing mask, no extra mask (a
mask whose image is absent), mask size equal to the image size, mask values
the binarisation accepts (see :mod:`mtl_plugin.datasets.defect_mask_io`), and
agreement between folder label and mask. A failed check raises
:class:`DefectDataError` naming the file, or with ``on_bad_sample='skip'``
drops the sample and logs each one and their count (``self.skipped`` keeps the
messages). A split-level problem (an extra mask) cannot be skipped per sample:
it is logged and counted as well.

Splits: ``split`` names the folder (``'train'``, ``'val'``, ``'test'``).
``val_ratio > 0`` carves a label-stratified validation set out of ``train``
with ``val_seed`` (``split='train'`` returns the rest, ``split='val'`` the carved
part). ``resplit=dict(train=0.6, val=0.2, test=0.2, seed=0)`` instead pools all
splits on disk and re-partitions them stratified by label; MVTec AD needs it
for supervised training, as its official train split holds no defect.

Each data info holds ``img_path``, ``seg_map_path`` (``None`` for a normal
image without mask file), ``gt_label`` (0 normal, 1 defect), ``img_id``,
``height``/``width`` of the original image and ``defect_type``.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mtl_plugin.registry import DATASETS
from .defect_layouts import (LAYOUTS, SPLITS, Candidate, Layout, build_layout,
                             detect_layout)
from .defect_layouts.files import stem
from .defect_mask_io import DefectDataError, read_binary_mask, read_image_size


def stratified_partition(items: Sequence[Dict], fractions: Dict[str, float],
                         seed: int) -> Dict[str, List[Dict]]:
    """Split ``items`` into named parts, stratified by ``gt_label``.

    Per label, items are sorted by ``img_path`` (so the result does not depend
    on file-system order), shuffled with ``seed`` and cut by the fractions
    (rounded; the last part takes the remainder). Fractions must sum to 1.
    """
    if abs(sum(fractions.values()) - 1.0) > 1e-6 or min(fractions.values()) < 0:
        raise ValueError(f'split fractions {fractions} must be >= 0 and sum to 1')
    rng = np.random.default_rng(seed)
    parts: Dict[str, List[Dict]] = {name: [] for name in fractions}
    names = list(fractions)
    for label in sorted({item['gt_label'] for item in items}):
        group = sorted((i for i in items if i['gt_label'] == label),
                       key=lambda i: i['img_path'])
        order = rng.permutation(len(group))
        start = 0
        for k, name in enumerate(names):
            stop = len(group) if k == len(names) - 1 else \
                start + int(round(fractions[name] * len(group)))
            parts[name] += [group[j] for j in order[start:min(stop, len(group))]]
            start = stop
    for name in names:
        parts[name].sort(key=lambda i: i['img_path'])
    return parts


@DATASETS.register_module()
class DefectDataset(BaseDataset):
    """Defect / normal images with defect masks (layouts in the module doc).

    Args:
        data_root: dataset root folder.
        layout: ``'auto'`` or one of ``'gain_mtl'``, ``'kolektorsdd2'``,
            ``'mvtec'``.
        split: ``'train'``, ``'val'`` or ``'test'``.
        category: MVTec AD category (or list of them) when ``data_root`` holds
            several; ``None`` uses every category found (or ``data_root`` itself
            when it is one category's folder).
        val_ratio: fraction of ``train`` carved out as ``val`` (0: use the
            ``val`` folder).
        val_seed: seed of that carving.
        resplit: optional ``dict(train=..., val=..., test=..., seed=...)``
            re-partitioning all images on disk (see module doc).
        mask_threshold: ``None`` for strict binary masks, or a threshold.
        on_bad_sample: ``'raise'`` (default) or ``'skip'``.
        **kwargs: passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).
    """

    METAINFO = dict(classes=('normal', 'defect'),
                    palette=[(0, 0, 0), (255, 0, 0)])

    def __init__(self,
                 data_root: str,
                 layout: str = 'auto',
                 split: str = 'train',
                 category: Optional[Sequence[str]] = None,
                 val_ratio: float = 0.0,
                 val_seed: int = 0,
                 resplit: Optional[Dict[str, float]] = None,
                 mask_threshold: Optional[float] = None,
                 on_bad_sample: str = 'raise',
                 **kwargs) -> None:
        if layout != 'auto' and layout not in LAYOUTS:
            raise ValueError(f'layout={layout!r}; expected "auto" or one of {LAYOUTS}')
        if split not in SPLITS:
            raise ValueError(f'split={split!r}; expected one of {SPLITS}')
        if on_bad_sample not in ('raise', 'skip'):
            raise ValueError(f'on_bad_sample={on_bad_sample!r}; expected "raise" or "skip"')
        if not 0.0 <= val_ratio < 1.0:
            raise ValueError(f'val_ratio={val_ratio}; expected 0 <= val_ratio < 1')
        if val_ratio > 0 and resplit is not None:
            raise ValueError('give either val_ratio or resplit, not both')
        self.layout = layout
        self.split = split
        self.category = [category] if isinstance(category, str) else category
        self.val_ratio = val_ratio
        self.val_seed = val_seed
        self.resplit = dict(resplit) if resplit is not None else None
        self.mask_threshold = mask_threshold
        self.on_bad_sample = on_bad_sample
        self.skipped: List[str] = []
        super().__init__(data_root=data_root, **kwargs)

    # ------------------------------------------------------------------ API
    def load_data_list(self) -> List[Dict]:
        root = self.data_root
        if not osp.isdir(root):
            raise FileNotFoundError(f'DefectDataset: data_root {root!r} is not a folder')
        layout = self.layout if self.layout != 'auto' else detect_layout(root)
        self.layout = layout
        scanner = build_layout(layout, self.category)
        self.skipped = []
        if self.resplit is not None:
            fractions = {k: float(v) for k, v in self.resplit.items() if k != 'seed'}
            if self.split not in fractions:
                raise ValueError(f'resplit={self.resplit} has no fraction for '
                                 f'split {self.split!r}')
            pooled = []
            for split in scanner.splits_on_disk(root):
                pooled += self._load_split(scanner, root, split)
            items = stratified_partition(pooled, fractions,
                                         int(self.resplit.get('seed', 0)))[self.split]
        elif self.val_ratio > 0 and self.split in ('train', 'val'):
            train = self._load_split(scanner, root, 'train')
            parts = stratified_partition(
                train, dict(train=1 - self.val_ratio, val=self.val_ratio),
                self.val_seed)
            items = parts[self.split]
        else:
            items = self._load_split(scanner, root, self.split)
        if self.skipped:
            logger = MMLogger.get_current_instance()
            logger.warning(f'DefectDataset ({root}, split {self.split}): skipped '
                           f'{len(self.skipped)} bad sample(s):\n  ' +
                           '\n  '.join(self.skipped))
        if not items:
            raise ValueError(f'DefectDataset: no images for split {self.split!r} '
                             f'in {root} (layout {layout!r})')
        return items

    @property
    def num_skipped(self) -> int:
        """Number of samples dropped by ``on_bad_sample='skip'``."""
        return len(self.skipped)

    # ------------------------------------------------------------- helpers
    def _load_split(self, scanner: Layout, root: str, split: str) -> List[Dict]:
        """Checked data infos of one split on disk, in the scanner's order."""
        items = []
        for entry in scanner.scan(root, split):
            if isinstance(entry, DefectDataError):
                self._bad(entry)
                continue
            item = self._item(entry)
            if item is not None:
                items.append(item)
        return items

    def _bad(self, exc: DefectDataError) -> None:
        if self.on_bad_sample == 'raise':
            raise exc
        self.skipped.append(str(exc))

    def _check_mask(self, img_path: str, mask_path: str) -> Tuple[int, int, bool]:
        """Return (height, width, has_foreground); raise on a bad pair."""
        height, width = read_image_size(img_path)
        mask = read_binary_mask(mask_path, self.mask_threshold)
        if mask.shape != (height, width):
            raise DefectDataError(
                mask_path, f'mask size {mask.shape[1]}x{mask.shape[0]} (WxH) differs '
                f'from its image {img_path} ({width}x{height})')
        return height, width, bool(mask.any())

    def _item(self, candidate: Candidate) -> Optional[Dict]:
        """Check one image (+ mask) and build its data info; None if skipped.

        ``candidate.folder_label`` is the label the folder claims (None: the
        mask decides).
        """
        img_path, mask_path, folder_label, defect_type = candidate
        try:
            if mask_path is None:
                if folder_label != 0:
                    raise DefectDataError(img_path, 'defect image has no mask file')
                height, width = read_image_size(img_path)
                label = 0
            else:
                height, width, has_fg = self._check_mask(img_path, mask_path)
                label = int(has_fg)
                if folder_label is not None and label != folder_label:
                    claim = 'defect' if folder_label else 'normal'
                    found = 'has foreground' if has_fg else 'is empty'
                    raise DefectDataError(
                        mask_path, f'mask {found} but its image {img_path} is in a '
                        f'{claim} folder; refusing to guess the label')
        except DefectDataError as exc:
            self._bad(exc)
            return None
        return dict(img_path=img_path, seg_map_path=mask_path, gt_label=label,
                    img_id=stem(osp.basename(img_path)), height=height, width=width,
                    defect_type=defect_type if label else 'good')

