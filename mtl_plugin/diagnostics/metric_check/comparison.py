"""Run a metric on synthetic samples and compare its results with a
reference, as findings."""
import contextlib
import copy
import io
from typing import Dict, List, Optional, Tuple

from mmengine.evaluator import Evaluator

from ..findings import Report


def evaluate_metric(metric_cfg: Dict, meta: Dict,
                    samples: List[Dict]) -> Dict[str, float]:
    """Results of one metric config on ``samples`` (dicts as mmengine's
    Evaluator passes them), with ``meta`` as the dataset metainfo."""
    evaluator = Evaluator([copy.deepcopy(metric_cfg)])
    evaluator.dataset_meta = meta
    evaluator.process(data_samples=samples, data_batch=None)
    with contextlib.redirect_stdout(io.StringIO()):
        return evaluator.evaluate(len(samples))


def find_key(results: Dict[str, float], suffix: str) -> Optional[Tuple[str, float]]:
    """``(key, value)`` of the result named ``suffix`` under any prefix."""
    for key, value in results.items():
        if key == suffix or key.endswith('/' + suffix):
            return key, float(value)
    return None


def as_fraction(value: float) -> float:
    """Metrics report fractions (mmdet, ours) or percent (mmseg, mmpretrain)."""
    return value / 100 if value > 1.0 + 1e-6 else value


def compare(report: Report, name: str, results: Dict[str, float],
            expected: Dict[str, float], tol: float) -> None:
    """One finding per expected key: agreement (INFO) within ``tol``
    (fractions), disagreement (ERROR), or a missing key (WARNING)."""
    for suffix, want in expected.items():
        found = find_key(results, suffix)
        if found is None:
            report.warning('metric keys', f'{name}: no {suffix} in its results '
                           f'{sorted(results)}')
            continue
        key, got = found
        if abs(as_fraction(got) - want) > tol:
            report.error('metric disagreement', f'{name} {key}={got:.4g} but the '
                         f'independent computation gives {want:.4f} (fraction) '
                         'on synthetic predictions with known answers')
        else:
            report.info('metric agreement', f'{name} {key}={got:.4g} matches the '
                        f'independent {want:.4f}')
