"""Read the per-image predictions of a defect classifier from a
``tools/test.py --out preds.pkl`` dump (mmengine's ``DumpResults``).

The dump is a list with one dict per test image (a ``MultiTaskDataSample``
turned into a dict by mmengine's evaluator): ``pred_score`` ``(K,)``,
``gt_label`` ``(1,)``, ``pred_label`` ``(1,)``, ``img_path`` and, when the
model and pipeline produce them, ``pred_cam`` / ``pred_attention`` /
``pred_loc`` / ``gt_sem_seg`` as ``{'data': (1, H, W)}``.
"""
import os.path as osp
import pickle
from typing import Any, Dict, List, NamedTuple, Optional

import numpy as np


class DefectPredictions(NamedTuple):
    """Scores and labels of a dump, one entry per image.

    ``score`` ``(N,)`` float64 defect probability, ``label`` ``(N,)`` int 0/1
    (1 = defect), ``pred`` ``(N,)`` the model's decision (0/1; ``-1`` where the
    dump has no ``pred_label``), ``img_path`` file names, ``records`` the raw
    dicts (maps, masks, metainfo).
    """

    score: np.ndarray
    label: np.ndarray
    pred: np.ndarray
    img_path: List[str]
    records: List[Dict[str, Any]]


def _numpy(value: Any) -> np.ndarray:
    if isinstance(value, dict) and 'data' in value:  # PixelData as dict
        value = value['data']
    if hasattr(value, 'detach'):
        value = value.detach().float().cpu().numpy()
    return np.asarray(value)


def field_map(record: Dict[str, Any], key: str) -> Optional[np.ndarray]:
    """``(H, W)`` float32 map ``key`` of one record, or None when absent."""
    if record.get(key) is None:
        return None
    value = _numpy(record[key]).astype(np.float32)
    return value[0] if value.ndim == 3 else value


def load_defect_predictions(path: str, defect_class: int = 1) -> DefectPredictions:
    """Load a dump; errors name the file and what was expected.

    Args:
        path: ``.pkl`` written by ``tools/test.py --out``.
        defect_class: index of the defect class in ``pred_score``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'prediction dump {path!r} not found (write one '
                                'with tools/test.py CONFIG CKPT --out preds.pkl)')
    with open(path, 'rb') as f:
        try:
            records = pickle.load(f)
        except Exception as exc:  # noqa: BLE001 - any unreadable pickle
            raise ValueError(f'{path}: not a readable pickle ({exc})') from exc
    if not isinstance(records, list) or not records or not all(
            isinstance(r, dict) for r in records):
        raise ValueError(f'{path}: expected a non-empty list of per-image dicts '
                         '(tools/test.py --out)')
    scores, labels, preds, paths = [], [], [], []
    for i, record in enumerate(records):
        for key in ('pred_score', 'gt_label'):
            if record.get(key) is None:
                raise KeyError(f'{path}: image {i} ({record.get("img_path", "?")}) '
                               f'has no {key!r}; dump a test run of a model '
                               'that predicts pred_score on labelled images')
        score = _numpy(record['pred_score']).reshape(-1)
        if not 0 <= defect_class < len(score):
            raise ValueError(f'{path}: defect_class={defect_class} but pred_score '
                             f'of image {i} has {len(score)} classes')
        scores.append(float(score[defect_class]))
        labels.append(int(int(_numpy(record['gt_label']).reshape(-1)[0]) == defect_class))
        pred = record.get('pred_label')
        preds.append(-1 if pred is None else
                     int(int(_numpy(pred).reshape(-1)[0]) == defect_class))
        paths.append(str(record.get('img_path', f'image_{i}')))
    return DefectPredictions(np.asarray(scores, np.float64), np.asarray(labels),
                             np.asarray(preds), paths, records)
