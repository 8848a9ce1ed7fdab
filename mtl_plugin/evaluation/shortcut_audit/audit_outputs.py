"""Files of an audit: ``audit.json``, ``per_image.csv`` and example PNGs.

* ``audit.json``: the audit dict (summary, verdict, operating point,
  settings, rule, skipped images, run time), with the example files listed
  under ``examples`` (paths relative to the folder). NaN is written as
  ``null``.
* ``per_image.csv``: one row per audited image, the columns of
  :data:`CSV_FIELDS` (empty where the image took no part in a test): path,
  label, score, decision (1 = called defect), each composite's score and
  partner image, and the map numbers.
* ``examples/<name>.png``: side-by-side panels titled with their defect
  scores (the composites exactly as the model saw them, at the network
  input). The pixels are written in the pipeline's channel order, read as
  BGR (``LoadImageFromFile``'s default).
"""
import csv
import json
import math
import os
import os.path as osp
from typing import Any, Dict, List, Sequence

import cv2
import numpy as np

from mtl_plugin.visualization.gain_panels import draw_gain_panels

from .score_tests import Example

JSON_NAME = 'audit.json'
CSV_NAME = 'per_image.csv'
EXAMPLES_DIR = 'examples'
_GAP = 2  # px of white between panels
#: Columns of the per-image CSV (the same for every model).
CSV_FIELDS = ('img_path', 'label', 'score', 'called_defect', 'necessity_score',
              'necessity_partner', 'context_score', 'context_partner',
              'sufficiency_score', 'sufficiency_partner', 'control_score',
              'control_partner', 'wrong_reason_mass', 'deletion_auc',
              'deletion_auc_random', 'insertion_auc', 'insertion_auc_random')


def _json_ready(value: Any) -> Any:
    """NaN / inf -> None (JSON has no NaN), numpy scalars -> Python."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def example_figure(example: Example) -> np.ndarray:
    """The panels of ``example`` side by side, ``(TITLE + H, k * W + gaps,
    3)`` uint8 in the images' channel order."""
    panels = []
    for title, image in example.panels:
        if image.shape[2] == 1:
            image = np.repeat(image, 3, axis=2)
        # draw_gain_panels draws on RGB; the images are BGR as loaded.
        panels.append(draw_gain_panels(image[..., ::-1], caption=title)[..., ::-1])
    height = max(p.shape[0] for p in panels)
    gap = np.full((height, _GAP, 3), 255, np.uint8)
    row = []
    for panel in panels:
        if panel.shape[0] < height:
            panel = np.pad(panel, ((0, height - panel.shape[0]), (0, 0), (0, 0)),
                           constant_values=255)
        row += [panel, gap]
    return np.ascontiguousarray(np.concatenate(row[:-1], axis=1))


def write_audit_outputs(audit: Dict[str, Any], rows: Sequence[Dict[str, Any]],
                        examples: Sequence[Example], out_dir: str) -> Dict[str, Any]:
    """Write the audit's files into ``out_dir``; returns ``audit`` with
    ``examples`` (``[{'file', 'caption'}]``, relative paths) and ``files``
    (the absolute paths written) added."""
    os.makedirs(osp.join(out_dir, EXAMPLES_DIR), exist_ok=True)
    listed: List[Dict[str, str]] = []
    for example in examples:
        rel = osp.join(EXAMPLES_DIR, f'{example.name}.png')
        if not cv2.imwrite(osp.join(out_dir, rel), example_figure(example)):
            raise OSError(f'could not write {osp.join(out_dir, rel)}')
        listed.append(dict(file=rel, caption=' | '.join(t for t, _ in example.panels)))
    csv_path = osp.join(out_dir, CSV_NAME)
    fields = list(CSV_FIELDS)
    for row in rows:
        unknown = set(row) - set(fields)
        if unknown:
            raise KeyError(f'write_audit_outputs: per-image keys {sorted(unknown)} '
                           f'are not columns of {CSV_NAME} ({CSV_FIELDS})')
    with open(csv_path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval='')
        writer.writeheader()
        writer.writerows(rows)
    json_path = osp.join(out_dir, JSON_NAME)
    audit = dict(audit, examples=listed,
                 files=dict(json=json_path, csv=csv_path,
                            examples=[osp.join(out_dir, e['file']) for e in listed]))
    with open(json_path, 'w') as f:
        json.dump(_json_ready(audit), f, indent=2)
    return audit
