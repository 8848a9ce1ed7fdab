"""Pipeline diagnostics: the library side of ``tools/diagnose.py``.

Checks: :func:`audit` (static config checks), :func:`data_check` (ground-truth
integrity), :func:`overfit` (memorise a tiny subset), :func:`trace` (one
sample through pipeline and model), :func:`metric_check` (evaluator vs
independent references). Each returns a :class:`Report` of findings.
"""
from .audit import audit
from .data_check import data_check
from .findings import ERROR, INFO, WARNING, Finding, Report
from .metric_check import metric_check
from .overfit import overfit
from .synthetic_data import SyntheticTaskDataset
from .trace import trace

__all__ = ['audit', 'data_check', 'metric_check', 'overfit', 'trace', 'Finding',
           'Report', 'ERROR', 'WARNING', 'INFO', 'SyntheticTaskDataset']
