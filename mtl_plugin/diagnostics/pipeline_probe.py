"""Run a data pipeline one transform at a time and summarise what it holds.

Used by ``data`` (dtype / value range of the mask after every transform) and
``trace`` (shapes, dtypes, ranges from loading to the model input).
"""
import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

# Keys of a pipeline's results dict that the checks summarise.
PROBED_KEYS = ('img', 'gt_seg_map', 'gt_bboxes', 'gt_bboxes_labels', 'gt_label')


def array_summary(x: Any) -> Optional[Dict]:
    """Shape, dtype, min, max (and the distinct values of small integer arrays)
    of an array, tensor, box object or number; None for anything else."""
    if hasattr(x, 'tensor') and isinstance(getattr(x, 'tensor'), torch.Tensor):
        x = x.tensor  # mmdet box structures
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if isinstance(x, (int, float, np.integer, np.floating)):
        x = np.asarray(x)
    if not isinstance(x, np.ndarray):
        return None
    out = dict(shape=tuple(x.shape), dtype=str(x.dtype))
    if x.size:
        xf = x.astype(np.float64)
        out.update(min=float(np.nanmin(xf)) if np.isfinite(xf).any() else float('nan'),
                   max=float(np.nanmax(xf)) if np.isfinite(xf).any() else float('nan'),
                   nan=int(np.isnan(xf).sum()), inf=int(np.isinf(xf).sum()))
        if x.dtype.kind in 'iub':
            values = np.unique(x)
            if len(values) <= 16:
                out['values'] = values.tolist()
    return out


def format_summary(s: Optional[Dict]) -> str:
    if s is None:
        return '-'
    text = f'{s["shape"]} {s["dtype"]}'
    if 'min' in s:
        text += f' [{s["min"]:.4g}, {s["max"]:.4g}]'
    if 'values' in s:
        text += f' values={s["values"]}'
    if s.get('nan') or s.get('inf'):
        text += f' NaN={s["nan"]} Inf={s["inf"]}'
    return text


def transform_name(t: Any) -> str:
    return type(t).__name__


def run_steps(results: Dict, transforms: Sequence,
              keys: Sequence[str] = PROBED_KEYS) -> Tuple[Optional[Dict], List[Tuple[str, Dict]]]:
    """Apply ``transforms`` to a copy of ``results``, recording a summary of
    ``keys`` before the first and after every transform.

    Returns:
        ``(final_results, steps)``: the last transform's output (None when a
        transform dropped the sample) and ``[(name, {key: summary})]`` with
        ``'(input)'`` as the first name.
    """
    results = copy.deepcopy(results)
    steps = [('(input)', {k: array_summary(results.get(k)) for k in keys
                          if k in results})]
    for t in transforms:
        results = t(results)
        if results is None:
            steps.append((transform_name(t), {}))
            return None, steps
        if 'inputs' in results and 'data_samples' in results:
            steps.append((transform_name(t), _packed_summary(results)))
        else:
            steps.append((transform_name(t), {
                k: array_summary(results.get(k)) for k in keys if k in results}))
    return results, steps


def _packed_summary(packed: Dict) -> Dict:
    out = {'inputs': array_summary(packed['inputs'])}
    sample = packed['data_samples']
    if 'gt_sem_seg' in sample:
        out['gt_sem_seg'] = array_summary(sample.gt_sem_seg.data)
    if 'gt_instances' in sample and 'bboxes' in sample.gt_instances:
        out['gt_instances.bboxes'] = array_summary(sample.gt_instances.bboxes)
        out['gt_instances.labels'] = array_summary(sample.gt_instances.labels)
    if 'gt_label' in sample:
        out['gt_label'] = array_summary(sample.gt_label)
    return out


def format_steps(steps: List[Tuple[str, Dict]]) -> str:
    lines = []
    for name, summaries in steps:
        lines.append(f'{name}:')
        if not summaries:
            lines.append('    (no image / annotation yet)' if name == '(input)'
                         else '    (sample dropped)')
        for key, s in summaries.items():
            lines.append(f'    {key:<22} {format_summary(s)}')
    return '\n'.join(lines)


def pipeline_transforms(dataset: Any) -> List:
    """The transform objects of a dataset's pipeline (mmengine ``Compose``)."""
    pipeline = getattr(dataset, 'pipeline', None)
    return list(getattr(pipeline, 'transforms', []) or [])
