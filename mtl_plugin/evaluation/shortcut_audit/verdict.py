"""The audit's verdict: PASS / FLAG / INCONCLUSIVE from the score tests, and
a separate word on the map (faithful / unfaithful / n/a).

Rule (thresholds of :class:`VerdictRule`, defaults in brackets). A test is
*measured* when it ran on at least ``min_images`` [5] images; it passes when

* ``necessity >= min_necessity`` [0.5]: removing the defect turns at least
  half of the recognised defects normal;
* ``sufficiency >= min_sufficiency`` [0.5]: the defect alone turns at least
  half of the normal hosts defective;
* ``sufficiency_control <= max_sufficiency_control`` [0.2]: pasting
  defect-free content the same way does not (else sufficiency only shows
  that the model sees the paste);
* ``context_swap <= max_context_swap`` [0.2]: a new context moves the defect
  score by at most 0.2 on average;
* ``context_swap_flip <= max_context_swap_flip`` [0.2]: and turns at most a
  fifth of the recognised defects normal (the score change alone misses a
  model whose scores sit close to its threshold, where a small change flips
  the decision).

Verdict: **FLAG** when a measured test fails (the reasons list each), else
**INCONCLUSIVE** when a test could not be measured, else **PASS**. The
thresholds are conventions, not calibrated probabilities: they separate a
model that reads the defect from one that reads something correlated with
it (docs/shortcut_audit.md shows both on the demo data, with wide margins);
tighten them for a model you ship.

Map verdict (only where the model gives a map, on at least ``min_images``
images): **faithful** when the map's pixel order beats random on both
curves by at least ``min_map_gain`` [0.02] (``deletion_gain`` and
``insertion_gain``, in units of score x fraction of pixels; a gain near 0
means the map ranks the pixels no better than chance, as happens when the
score hardly moves at all), else **unfaithful**. It
judges the explanation, not the model, and does not enter the verdict.
"""
import math
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional

#: (summary key, comparison, VerdictRule field, key of its image count)
CHECKS = (('necessity', '>=', 'min_necessity', 'necessity_n'),
          ('sufficiency', '>=', 'min_sufficiency', 'sufficiency_n'),
          ('sufficiency_control', '<=', 'max_sufficiency_control',
           'sufficiency_control_n'),
          ('context_swap', '<=', 'max_context_swap', 'context_swap_n'),
          ('context_swap_flip', '<=', 'max_context_swap_flip', 'context_swap_n'))
VERDICTS = ('PASS', 'FLAG', 'INCONCLUSIVE')


@dataclass
class VerdictRule:
    """Thresholds of the verdict (see the module doc)."""

    min_necessity: float = 0.5
    min_sufficiency: float = 0.5
    max_sufficiency_control: float = 0.2
    max_context_swap: float = 0.2
    max_context_swap_flip: float = 0.2
    min_images: int = 5
    min_map_gain: float = 0.02

    def __post_init__(self) -> None:
        for key, _, attr, _ in CHECKS:
            value = getattr(self, attr)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f'VerdictRule: {attr}={value}; expected a value '
                                 f'in [0, 1] ({key} is a fraction or a mean '
                                 'probability change)')
        if self.min_map_gain < 0:
            raise ValueError(f'VerdictRule: min_map_gain={self.min_map_gain}; '
                             'expected >= 0')
        if self.min_images < 1:
            raise ValueError(f'VerdictRule: min_images={self.min_images}; expected '
                             '>= 1')

    def describe(self) -> str:
        """The rule in one line, with its thresholds."""
        tests = ', '.join(f'{key} {op} {getattr(self, attr):g}'
                          for key, op, attr, _ in CHECKS)
        return (f'PASS iff {tests} (each on >= {self.min_images} images); '
                'FLAG if a measured test fails; INCONCLUSIVE if one is unmeasured')

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def decide(summary: Dict[str, Any], rule: Optional[VerdictRule] = None) -> Dict[str, Any]:
    """Verdict of an audit summary (keys of :mod:`.score_tests` and
    :mod:`.map_tests`).

    Returns:
        ``verdict`` (one of :data:`VERDICTS`), ``reasons`` (one line per
        failed or unmeasured test), ``checks`` (per test: value, comparison,
        threshold, image count, status ``'ok'`` / ``'fail'`` / ``'n/a'``),
        ``rule`` (:meth:`VerdictRule.describe`), ``map_verdict``
        (``'faithful'`` / ``'unfaithful'`` / ``'n/a'``) and ``map_rule``.
    """
    rule = rule if rule is not None else VerdictRule()
    checks: List[Dict[str, Any]] = []
    for key, op, attr, count_key in CHECKS:
        value, count = summary.get(key), int(summary.get(count_key) or 0)
        threshold = getattr(rule, attr)
        if count < rule.min_images or not _finite(value):
            status = 'n/a'
        else:
            status = 'ok' if (value >= threshold if op == '>=' else
                              value <= threshold) else 'fail'
        checks.append(dict(test=key, value=value, op=op, threshold=threshold,
                           n=count, status=status))
    reasons = []
    for check in checks:
        if check['status'] == 'fail':
            broken = '<' if check['op'] == '>=' else '>'
            reasons.append(f"{check['test']} {check['value']:.3f} {broken} "
                           f"{check['threshold']:g} (n={check['n']})")
    for check in checks:
        if check['status'] == 'n/a':
            reasons.append(f"{check['test']} unmeasured: {check['n']} image(s), "
                           f'need {rule.min_images}')
    statuses = {c['status'] for c in checks}
    verdict = ('FLAG' if 'fail' in statuses else
               'INCONCLUSIVE' if 'n/a' in statuses else 'PASS')
    map_verdict = 'n/a'
    gains = (summary.get('deletion_gain'), summary.get('insertion_gain'))
    if int(summary.get('map_n') or 0) >= rule.min_images and all(map(_finite, gains)):
        map_verdict = 'faithful' if min(gains) >= rule.min_map_gain else 'unfaithful'
    return dict(verdict=verdict, reasons=reasons, checks=checks, rule=rule.describe(),
                map_verdict=map_verdict,
                map_rule=f'faithful iff deletion_gain >= {rule.min_map_gain:g} and '
                         f'insertion_gain >= {rule.min_map_gain:g} (on >= '
                         f'{rule.min_images} images); does not enter the verdict')


def verdict_line(decision: Dict[str, Any]) -> str:
    """``verdict: FLAG (reason; reason) | map: unfaithful``."""
    reasons = f" ({'; '.join(decision['reasons'])})" if decision['reasons'] else ''
    return f"verdict: {decision['verdict']}{reasons} | map: {decision['map_verdict']}"
