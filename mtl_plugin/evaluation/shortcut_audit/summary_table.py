"""The audit's summary as table rows: one implementation for the printed
table of ``tools/analysis/shortcut_audit.py`` and the audit section of the
HTML defect report."""
import math
from typing import Any, Dict, List, Tuple

from .verdict import verdict_line

#: (summary key, what it is; image count key or None)
ROWS = (
    ('necessity', 'recognised defects called normal once R is replaced', 'necessity_n'),
    ('necessity_score_drop', 'mean defect-score drop, same images', 'necessity_n'),
    ('sufficiency', 'normal hosts called defect with a defect pasted in', 'sufficiency_n'),
    ('sufficiency_control', 'same, pasting defect-free content (should be low)',
     'sufficiency_control_n'),
    ('context_swap', 'mean |score change| when the context becomes normal',
     'context_swap_n'),
    ('context_swap_flip', 'recognised defects called normal after the swap',
     'context_swap_n'),
    ('combined', 'right-and-passes rate (mean of 3 rates over all images)', None),
    ('wrong_reason_mass', 'CAM energy outside R (chance: next row)', 'map_n'),
    ('wrong_reason_chance', 'a uniform map\'s mass outside R', 'map_n'),
    ('deletion_auc', 'deletion AUC in CAM order (lower is better)', 'map_n'),
    ('deletion_auc_random', 'deletion AUC in random order', 'map_n'),
    ('insertion_auc', 'insertion AUC in CAM order (higher is better)', 'map_n'),
    ('insertion_auc_random', 'insertion AUC in random order', 'map_n'),
)


def _fmt(value: Any) -> str:
    if value is None:  # NaN as audit.json stores it
        return 'n/a'
    if isinstance(value, float):
        return 'n/a' if math.isnan(value) else f'{value:.3f}'
    return str(value)


def summary_rows(audit: Dict[str, Any]) -> List[Tuple[str, str, str, str]]:
    """``(key, value, n, meaning)`` strings for each summary number of an
    audit dict (:func:`~.audit_runner.run_shortcut_audit`'s result or its
    ``audit.json``); the map rows read n/a for a model without a map."""
    summary = audit['summary']
    rows = []
    for key, meaning, count_key in ROWS:
        count = '' if count_key is None else _fmt(int(summary.get(count_key) or 0))
        rows.append((key, _fmt(summary.get(key, float('nan'))), count, meaning))
    return rows


def format_summary_table(audit: Dict[str, Any]) -> str:
    """The summary as a Markdown table, headed by the operating point and
    the image counts, followed by the verdict line and its rule."""
    s = audit['summary']
    point = audit['operating_point']
    lines = [
        f"split {audit.get('split', '?')}: {s['num_images']} images "
        f"({s['num_defect']} defect, {s['num_normal']} normal); called defect iff "
        f"p(class {point['defect_class']}) >= {point['score_thr']:g} "
        f"({point['source']}); recall {_fmt(s['recall'])}, specificity "
        f"{_fmt(s['specificity'])}",
        '',
        '| test | value | n | meaning |',
        '|---|---|---|---|',
    ]
    lines += [f'| {k} | {v} | {n} | {m} |' for k, v, n, m in summary_rows(audit)]
    lines += ['', verdict_line(audit['verdict']), f"rule: {audit['verdict']['rule']}"]
    return '\n'.join(lines)
