"""Image-level defect dataset (normal / defect + pixel mask) in three layouts.

Layouts under ``data_root`` (``layout='auto'`` detects them in this order):

* ``'gain_mtl'`` (folder layout of public GAIN-MTL code)::

      images/<split>/normal/<name>      images/<split>/defective/<name>
      masks/defective/<stem>[_mask].<ext>   (one mask per defective image)

  The label is the folder; the mask must agree (a defective image's mask has
  foreground; a normal image has no mask in ``masks/defective``).
* ``'kolektorsdd2'``::

      <split>/<id>.png  +  <split>/<id>_GT.png   (every image has a mask)

  The label is *defect iff the mask has any foreground pixel*.
* ``'mvtec'``: ``[<category>/]train/good/*``, ``test/<type>/*``,
  ``ground_truth/<type>/<stem>_mask.png``. The label is *defect iff the folder
  is not* ``good``; every defect image needs a mask with foreground, and
  ``good`` images have none.

Every layout checks: readable image, no missing mask, no extra mask (a mask
whose image is absent), mask size equal to the image size, mask values the
binarisation accepts (see :mod:`mtl_plugin.datasets.defect_mask_io`), and
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
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mtl_plugin.registry import DATASETS
from .defect_mask_io import DefectDataError, read_binary_mask, read_image_size

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
LAYOUTS = ('gain_mtl', 'kolektorsdd2', 'mvtec')
SPLITS = ('train', 'val', 'test')


def _images_in(folder: str) -> List[str]:
    return sorted(f for f in os.listdir(folder)
                  if f.lower().endswith(IMG_EXTENSIONS) and not f.startswith('.'))


def _stem(name: str) -> str:
    return osp.splitext(name)[0]


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
        layout = self.layout if self.layout != 'auto' else self.detect_layout(root)
        self.layout = layout
        self.skipped = []
        if self.resplit is not None:
            fractions = {k: float(v) for k, v in self.resplit.items() if k != 'seed'}
            if self.split not in fractions:
                raise ValueError(f'resplit={self.resplit} has no fraction for '
                                 f'split {self.split!r}')
            pooled = []
            for split in self._splits_on_disk(root, layout):
                pooled += self._load_split(root, layout, split)
            items = stratified_partition(pooled, fractions,
                                         int(self.resplit.get('seed', 0)))[self.split]
        elif self.val_ratio > 0 and self.split in ('train', 'val'):
            train = self._load_split(root, layout, 'train')
            parts = stratified_partition(
                train, dict(train=1 - self.val_ratio, val=self.val_ratio),
                self.val_seed)
            items = parts[self.split]
        else:
            items = self._load_split(root, layout, self.split)
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

    @staticmethod
    def detect_layout(root: str) -> str:
        """Guess the layout of ``root`` (see the module docstring)."""
        if osp.isdir(osp.join(root, 'images')) and osp.isdir(osp.join(root, 'masks')):
            return 'gain_mtl'
        for split in SPLITS:
            folder = osp.join(root, split)
            if osp.isdir(folder) and any(
                    _stem(f).endswith('_GT') for f in _images_in(folder)):
                return 'kolektorsdd2'
        if DefectDataset._mvtec_categories(root):
            return 'mvtec'
        raise ValueError(
            f'DefectDataset: cannot detect the layout of {root}: expected '
            'images/ + masks/ (gain_mtl), train|test/<id>_GT.png (kolektorsdd2) '
            'or [<category>/]train/good + ground_truth/ (mvtec)')

    # ------------------------------------------------------------- helpers
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

    def _item(self, img_path: str, mask_path: Optional[str], folder_label: Optional[int],
              defect_type: str) -> Optional[Dict]:
        """Check one image (+ mask) and build its data info; None if skipped.

        ``folder_label`` is the label the folder claims (None: the mask decides).
        """
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
                    img_id=_stem(osp.basename(img_path)), height=height, width=width,
                    defect_type=defect_type if label else 'good')

    def _extra_masks(self, masks: Sequence[str], what: str) -> None:
        for path in masks:
            self._bad(DefectDataError(path, f'extra mask: no image {what}'))

    def _splits_on_disk(self, root: str, layout: str) -> List[str]:
        if layout == 'gain_mtl':
            base = osp.join(root, 'images')
            return [s for s in SPLITS if osp.isdir(osp.join(base, s))]
        if layout == 'kolektorsdd2':
            return [s for s in SPLITS if osp.isdir(osp.join(root, s))]
        return ['train', 'test']

    def _load_split(self, root: str, layout: str, split: str) -> List[Dict]:
        loader = dict(gain_mtl=self._load_gain_mtl, kolektorsdd2=self._load_ksdd2,
                      mvtec=self._load_mvtec)[layout]
        items = loader(root, split)
        return [i for i in items if i is not None]

    def _load_ksdd2(self, root: str, split: str) -> List[Optional[Dict]]:
        folder = osp.join(root, split)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'DefectDataset (kolektorsdd2): split folder '
                                    f'{folder} does not exist')
        files = _images_in(folder)
        masks = {_stem(f)[:-3]: f for f in files if _stem(f).endswith('_GT')}
        images = [f for f in files if not _stem(f).endswith('_GT')]
        items = []
        for name in images:
            img_path = osp.join(folder, name)
            mask = masks.pop(_stem(name), None)
            if mask is None:
                self._bad(DefectDataError(img_path, f'missing mask {_stem(name)}_GT.png '
                                          '(kolektorsdd2 needs one per image)'))
                continue
            items.append(self._item(img_path, osp.join(folder, mask), None, 'defect'))
        self._extra_masks([osp.join(folder, m) for m in masks.values()],
                          f'<id>.png in {folder}')
        return items

    def _load_gain_mtl(self, root: str, split: str) -> List[Optional[Dict]]:
        img_dir = osp.join(root, 'images', split)
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'DefectDataset (gain_mtl): split folder '
                                    f'{img_dir} does not exist')
        mask_dir = osp.join(root, 'masks', 'defective')
        masks = {}
        if osp.isdir(mask_dir):
            for f in _images_in(mask_dir):
                stem = _stem(f)
                masks[stem[:-5] if stem.endswith('_mask') else stem] = f
        # Masks of every split share masks/defective: a mask is "extra" only
        # when no split has its defective image.
        all_defective = set()
        for s in self._splits_on_disk(root, 'gain_mtl'):
            d = osp.join(root, 'images', s, 'defective')
            if osp.isdir(d):
                all_defective |= {_stem(f) for f in _images_in(d)}
        items = []
        for sub, label in (('normal', 0), ('defective', 1)):
            folder = osp.join(img_dir, sub)
            if not osp.isdir(folder):
                continue
            for name in _images_in(folder):
                img_path = osp.join(folder, name)
                mask = masks.get(_stem(name))
                if label == 0 and mask is not None:
                    self._bad(DefectDataError(
                        img_path, f'normal image has a defect mask '
                        f'{osp.join(mask_dir, mask)}; refusing to guess the label'))
                    continue
                mask_path = osp.join(mask_dir, mask) if mask else None
                items.append(self._item(img_path, mask_path, label, 'defective'))
        extra = [osp.join(mask_dir, f) for stem, f in sorted(masks.items())
                 if stem not in all_defective]
        self._extra_masks(extra, 'of that name in images/<split>/defective')
        return items

    @staticmethod
    def _mvtec_categories(root: str) -> List[str]:
        def is_category(path):
            return (osp.isdir(osp.join(path, 'train', 'good'))
                    or osp.isdir(osp.join(path, 'ground_truth')))
        if is_category(root):
            return ['']
        if not osp.isdir(root):
            return []
        return sorted(d for d in os.listdir(root) if is_category(osp.join(root, d)))

    def _load_mvtec(self, root: str, split: str) -> List[Optional[Dict]]:
        found = self._mvtec_categories(root)
        categories = self.category if self.category is not None else found
        items = []
        for cat in categories:
            if cat not in found:
                raise FileNotFoundError(f'DefectDataset (mvtec): category {cat!r} not '
                                        f'found in {root} (found: {found})')
            items += self._load_mvtec_category(osp.join(root, cat), split)
        return items

    def _load_mvtec_category(self, cat_dir: str, split: str) -> List[Optional[Dict]]:
        if split == 'val':
            raise FileNotFoundError(
                f'DefectDataset (mvtec): {cat_dir} has no val split; set val_ratio '
                'or resplit')
        split_dir = osp.join(cat_dir, split)
        if not osp.isdir(split_dir):
            raise FileNotFoundError(f'DefectDataset (mvtec): {split_dir} does not exist')
        gt_dir = osp.join(cat_dir, 'ground_truth')
        items = []
        for dtype in sorted(os.listdir(split_dir)):
            folder = osp.join(split_dir, dtype)
            if not osp.isdir(folder):
                continue
            label = 0 if dtype == 'good' else 1
            mask_folder = osp.join(gt_dir, dtype)
            masks = {}
            if osp.isdir(mask_folder):
                masks = {_stem(f)[:-5] if _stem(f).endswith('_mask') else _stem(f): f
                         for f in _images_in(mask_folder)}
            for name in _images_in(folder):
                img_path = osp.join(folder, name)
                mask = masks.pop(_stem(name), None)
                mask_path = osp.join(mask_folder, mask) if mask else None
                items.append(self._item(img_path, mask_path, label, dtype))
            if split == 'test':
                self._extra_masks([osp.join(mask_folder, m) for m in masks.values()],
                                  f'of that name in {folder}')
        return items
