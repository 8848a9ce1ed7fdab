"""Per-task metrics and diagnostics of the 3-task study."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mtl_plugin.registry import METRICS


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``(num_classes, num_classes)`` counts, rows = ground truth."""
    return np.bincount(gt * num_classes + pred,
                       minlength=num_classes**2).reshape(num_classes, num_classes)


def study_report(results: Sequence[Dict], cls_tasks: Dict[str, int],
                 reg_tasks: Sequence[str], conditional: Optional[Sequence[str]] = None
                 ) -> Dict:
    """Per-task numbers of the study from per-sample results.

    Args:
        results: dicts with ``gt_<task>`` (int / float) and ``pred_<task>``
            (probabilities ``(C,)`` for classification, ``(1,)`` regression).
        cls_tasks: ``{task: num_classes}``.
        reg_tasks: regression tasks.
        conditional: ``(a, b)``: report the accuracy of ``b`` on the samples
            where ``a`` is right and where it is wrong.

    Returns:
        ``{'<task>/accuracy', '<task>/chance', '<task>/pred_entropy' (mean
        entropy of the predicted distribution, nats), '<task>/max_entropy',
        '<task>/label_entropy' (entropy of the predicted-label histogram),
        '<task>/gt_counts', '<task>/pred_counts', '<task>/confusion',
        '<reg>/mae', '<reg>/mae_of_mean' (MAE of predicting the mean: chance),
        '<b>/accuracy_given_<a>_correct', '<b>/accuracy_given_<a>_wrong'}``.
    """
    report: Dict = {}
    correct = {}
    for task, n in cls_tasks.items():
        gt = np.array([int(r[f'gt_{task}']) for r in results])
        prob = np.stack([np.asarray(r[f'pred_{task}'], dtype=np.float64)
                         for r in results])
        pred = prob.argmax(1)
        correct[task] = pred == gt
        hist = np.bincount(pred, minlength=n) / len(pred)
        nz = hist[hist > 0]
        report.update({
            f'{task}/accuracy': float(correct[task].mean()),
            f'{task}/chance': 1.0 / n,
            f'{task}/pred_entropy': float(
                -(prob * np.log(np.clip(prob, 1e-12, None))).sum(1).mean()),
            f'{task}/max_entropy': float(np.log(n)),
            f'{task}/label_entropy': float(-(nz * np.log(nz)).sum()),
            f'{task}/gt_counts': np.bincount(gt, minlength=n).tolist(),
            f'{task}/pred_counts': np.bincount(pred, minlength=n).tolist(),
            f'{task}/confusion': confusion_matrix(gt, pred, n),
        })
    for task in reg_tasks:
        gt = np.array([float(r[f'gt_{task}']) for r in results])
        pred = np.array([float(np.asarray(r[f'pred_{task}']).reshape(-1)[0])
                         for r in results])
        report[f'{task}/mae'] = float(np.abs(pred - gt).mean())
        report[f'{task}/mae_of_mean'] = float(np.abs(gt - gt.mean()).mean())
    if conditional:
        a, b = conditional
        for name, sel in (('correct', correct[a]), ('wrong', ~correct[a])):
            report[f'{b}/accuracy_given_{a}_{name}'] = (
                float(correct[b][sel].mean()) if sel.any() else float('nan'))
    return report


@METRICS.register_module()
class MultiTaskStudyMetric(BaseMetric):
    """Accuracy per classification task and MAE per regression task.

    Reads ``gt_<task>`` and ``pred_<task>`` of each sample (as set by
    :class:`MultiTaskStudyNet`). Logged keys: ``<prefix>/<task>/accuracy``,
    ``<prefix>/<task>/mae``, and the accuracy of ``conditional[1]`` given
    ``conditional[0]`` right; the full report (confusion matrices, entropies,
    counts) is :func:`study_report`, used by tools/analysis/task_diagnostics.py.

    Args:
        cls_tasks: ``{task: num_classes}``.
        reg_tasks: regression task names.
        conditional: pair of tasks ``(a, b)`` or None.
    """

    default_prefix = 'study'

    def __init__(self, cls_tasks: Dict[str, int], reg_tasks: Sequence[str] = (),
                 conditional: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.cls_tasks = dict(cls_tasks)
        self.reg_tasks = list(reg_tasks)
        self.conditional = tuple(conditional) if conditional else None

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            item = {}
            for task in list(self.cls_tasks) + self.reg_tasks:
                for kind in ('gt', 'pred'):
                    value = sample[f'{kind}_{task}']
                    if isinstance(value, torch.Tensor):
                        value = value.detach().cpu().numpy()
                    item[f'{kind}_{task}'] = (np.asarray(value).reshape(-1)[0]
                                              if kind == 'gt' else value)
            self.results.append(item)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        report = study_report(results, self.cls_tasks, self.reg_tasks,
                              self.conditional)
        keep = ('/accuracy', '/mae', '_correct')
        return {k: v for k, v in report.items()
                if isinstance(v, float) and k.endswith(keep)}
