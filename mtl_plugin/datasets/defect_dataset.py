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

Mixed supervision (only some defect images have a pixel mask, as in Bozic
et al. 2021 on KolektorSDD2): ``allow_unmasked_defects=True`` accepts a
defect image without mask file where the folder gives the label (``gain_mtl``,
``mvtec``; in ``kolektorsdd2`` the mask *is* the label, so it cannot be
allowed there), and ``mask_fraction < 1`` keeps the masks of only that
fraction of the defect images (seeded by ``mask_seed``; for experiments, on
the training split). Both are counted in the log (``num_unmasked``).

Each data info holds ``img_path``, ``seg_map_path`` (``None`` for a normal
image without mask file and for an unmasked defect image), ``gt_label`` (0
normal, 1 defect), ``has_mask`` (False for a defect image whose mask is
absent or dropped: its pixels are unknown; normal images are known to be
defect-free), ``img_id``, ``height``/``width`` of the original image and
``defect_type``. ``has_mask`` reaches the data sample's metainfo
(``PackMultiTaskInputs``), and such a sample carries no ``gt_sem_seg``.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mtl_plugin.registry import DATASETS

from .defect_layouts import LAYOUTS, SPLITS, Candidate, Layout, build_layout, detect_layout
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
        allow_unmasked_defects: accept defect images without mask file
            (folder-labelled layouts only).
        mask_fraction: fraction of the defect images that keep their mask
            (1: all).
        mask_seed: seed of the ``mask_fraction`` subsampling.
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
                 allow_unmasked_defects: bool = False,
                 mask_fraction: float = 1.0,
                 mask_seed: int = 0,
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
        if not 0.0 <= mask_fraction <= 1.0:
            raise ValueError(f'mask_fraction={mask_fraction}; expected a fraction '
                             'in [0, 1]')
        self.layout = layout
        self.split = split
        self.category = [category] if isinstance(category, str) else category
        self.val_ratio = val_ratio
        self.val_seed = val_seed
        self.resplit = dict(resplit) if resplit is not None else None
        self.mask_threshold = mask_threshold
        self.on_bad_sample = on_bad_sample
        self.allow_unmasked_defects = allow_unmasked_defects
        self.mask_fraction = float(mask_fraction)
        self.mask_seed = mask_seed
        self.skipped: List[str] = []
        self.num_unmasked = 0
        super().__init__(data_root=data_root, **kwargs)

    # ------------------------------------------------------------------ API
    def load_data_list(self) -> List[Dict]:
        root = self.data_root
        if not osp.isdir(root):
            raise FileNotFoundError(f'DefectDataset: data_root {root!r} is not a folder')
        layout = self.layout if self.layout != 'auto' else detect_layout(root)
        self.layout = layout
        if self.allow_unmasked_defects and layout == 'kolektorsdd2':
            raise ValueError(
                f'DefectDataset ({root}): allow_unmasked_defects=True needs a '
                'layout whose folders give the label (gain_mtl, mvtec); in '
                'kolektorsdd2 an image is a defect iff its mask has foreground, so '
                'a defect image without mask cannot be told apart (use '
                'mask_fraction to drop masks instead)')
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
        self._drop_masks(items)
        self.num_unmasked = sum(1 for i in items if not i['has_mask'])
        if self.num_unmasked:
            MMLogger.get_current_instance().info(
                f'DefectDataset ({root}, split {self.split}): '
                f'{self.num_unmasked} of {sum(i["gt_label"] for i in items)} defect '
                f'images without mask (allow_unmasked_defects='
                f'{self.allow_unmasked_defects}, mask_fraction={self.mask_fraction})'
                '; their pixel losses are skipped')
        return items

    def _drop_masks(self, items: List[Dict]) -> None:
        """Keep the masks of ``mask_fraction`` of the masked defect images
        (chosen with ``mask_seed`` among them sorted by path)."""
        if self.mask_fraction >= 1.0:
            return
        masked = sorted((i for i in items if i['gt_label'] == 1 and i['has_mask']),
                        key=lambda i: i['img_path'])
        keep = int(round(self.mask_fraction * len(masked)))
        order = np.random.default_rng(self.mask_seed).permutation(len(masked))
        for j in order[keep:]:
            masked[j].update(seg_map_path=None, has_mask=False)

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
                if folder_label != 0 and not (self.allow_unmasked_defects and
                                              folder_label == 1):
                    raise DefectDataError(img_path, 'defect image has no mask file '
                                          '(allow_unmasked_defects=True accepts it)')
                height, width = read_image_size(img_path)
                label = int(folder_label)
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
                    has_mask=not (label == 1 and mask_path is None),
                    img_id=stem(osp.basename(img_path)), height=height, width=width,
                    defect_type=defect_type if label else 'good')

