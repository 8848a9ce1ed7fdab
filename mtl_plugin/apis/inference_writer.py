"""What an inferencer writes under ``out_dir``, one file per image as it goes.

* ``preds/<stem>.json``: the prediction record;
* ``vis/<stem>.png``: the overlay, when drawn;
* ``maps/<stem>.npz``: maps at image size (``float32 (H, W)`` each), when
  asked for;
* ``sem_seg/<stem>.png``: a class index per pixel, for segmentation outputs;
* ``summary.json``: every record, the skipped inputs with their reason and
  the folder files left out, written at the end.

Each file is written to a temporary name and renamed, so an interrupted run
leaves complete files only; a record names its files relative to
``out_dir`` (``vis_file``, ``maps_file``, ``sem_seg_file``).
"""
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional

import cv2
import numpy as np


def _replace(tmp: str, path: str) -> str:
    os.replace(tmp, path)
    return path


def write_json(path: str, data: Any) -> str:
    """``data`` as indented JSON at ``path``, atomically."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=2)
    return _replace(tmp, path)


class InferenceWriter:
    """Writes the outputs of one inference run under ``out_dir``.

    Args:
        out_dir: output folder (created).
    """

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)

    def _path(self, sub: str, name: str) -> str:
        os.makedirs(osp.join(self.out_dir, sub), exist_ok=True)
        return osp.join(self.out_dir, sub, name)

    def write(self, stem: str, record: Dict, vis: Optional[np.ndarray] = None,
              maps: Optional[Dict[str, np.ndarray]] = None,
              sem_seg: Optional[np.ndarray] = None) -> Dict:
        """Write one image's files; return ``record`` with their names.

        Args:
            stem: output name of the image.
            record: JSON-serialisable prediction.
            vis: ``(H, W, 3)`` uint8 RGB overlay.
            maps: ``{name: (H, W) float32}``, saved together as ``.npz``.
            sem_seg: ``(H, W)`` class indices (< 256).
        """
        record = dict(record)
        if vis is not None:
            path = self._path('vis', f'{stem}.png')
            tmp = path[:-4] + '.tmp.png'
            cv2.imwrite(tmp, np.ascontiguousarray(vis[..., ::-1]))
            _replace(tmp, path)
            record['vis_file'] = osp.join('vis', f'{stem}.png')
        if maps:
            path = self._path('maps', f'{stem}.npz')
            tmp = path[:-4] + '.tmp.npz'
            np.savez_compressed(tmp, **maps)
            _replace(tmp, path)
            record['maps_file'] = osp.join('maps', f'{stem}.npz')
        if sem_seg is not None:
            path = self._path('sem_seg', f'{stem}.png')
            tmp = path[:-4] + '.tmp.png'
            cv2.imwrite(tmp, sem_seg.astype(np.uint8))
            _replace(tmp, path)
            record['sem_seg_file'] = osp.join('sem_seg', f'{stem}.png')
        write_json(osp.join(self.out_dir, 'preds', f'{stem}.json'), record)
        return record

    def write_summary(self, records: List[Dict], skipped: List[Dict],
                      excluded: List[str], **extra: Any) -> str:
        """``summary.json``: ``predictions`` (every record), ``skipped``
        (``img_path`` and ``reason``), ``excluded`` (folder files left out)
        and ``extra`` keys; returns its path."""
        return write_json(osp.join(self.out_dir, 'summary.json'), dict(
            num_images=len(records), num_skipped=len(skipped), **extra,
            predictions=records, skipped=skipped, excluded=excluded))
