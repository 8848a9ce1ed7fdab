"""Shortcut audit: is a defect classifier right for the right reason?

Counterfactual tests built from the pixel masks of a split, so they need no
cue-free data (see docs/shortcut_audit.md): necessity, sufficiency and
context swap (any classifier, scores only), wrong-reason mass and
deletion / insertion faithfulness of the map (models that give one), and a
verdict. One idea per module: :mod:`.composites`, :mod:`.faithfulness`,
:mod:`.wrong_reason`, :mod:`.audit_samples`, :mod:`.model_scorer`,
:mod:`.score_tests`, :mod:`.map_tests`, :mod:`.verdict`,
:mod:`.summary_table`, :mod:`.audit_outputs`, :mod:`.audit_runner`.
"""
from .audit_runner import AuditResult, audit_model, run_shortcut_audit
from .audit_samples import AuditSample, load_audit_samples, select_indices
from .composites import blend_weights, defect_region, paste_region, remove_defect
from .faithfulness import curve_auc, faithfulness_curves, pixel_order, removal_baseline
from .model_scorer import ModelScorer, OperatingPoint, operating_point
from .score_tests import ScoreTestResult, run_score_tests
from .settings import BASELINES, BLENDS, FILLS, AuditSettings
from .summary_table import format_summary_table, summary_rows
from .verdict import VerdictRule, decide, verdict_line
from .wrong_reason import wrong_reason_mass

__all__ = [
    'AuditResult', 'audit_model', 'run_shortcut_audit', 'AuditSample',
    'load_audit_samples', 'select_indices', 'blend_weights', 'defect_region',
    'paste_region', 'remove_defect', 'curve_auc', 'faithfulness_curves',
    'pixel_order', 'removal_baseline', 'ModelScorer', 'OperatingPoint',
    'operating_point', 'ScoreTestResult', 'run_score_tests', 'BASELINES',
    'BLENDS', 'FILLS', 'AuditSettings', 'format_summary_table', 'summary_rows',
    'VerdictRule', 'decide', 'verdict_line', 'wrong_reason_mass'
]
