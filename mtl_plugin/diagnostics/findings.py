"""Findings of the diagnostic checks and the report that collects them.

Every check of :mod:`mtl_plugin.diagnostics` returns a :class:`Report`: a list
of :class:`Finding` objects (severity, topic, message) plus free-form sections
(tables, curves) printed in order. ``Report.exit_code`` is 1 when any finding is
an ERROR, so ``tools/diagnose.py`` can fail a CI job on it.
"""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List

ERROR = 'ERROR'
WARNING = 'WARNING'
INFO = 'INFO'
_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Finding:
    """One observation.

    Attributes:
        severity: ``'ERROR'`` (the run cannot be right), ``'WARNING'`` (likely
            wrong, check it) or ``'INFO'`` (context for the reader).
        topic: short key of what was checked, e.g. ``'normalization'``.
        message: what was found, naming the config key / file / value and what
            was expected.
    """
    severity: str
    topic: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in _ORDER:
            raise ValueError(f'severity must be one of {list(_ORDER)}, '
                             f'got {self.severity!r}')

    def __str__(self) -> str:
        return f'[{self.severity:<7}] {self.topic}: {self.message}'


@dataclass
class Report:
    """Findings and printable sections of one check (``audit``, ``data`` ...)."""
    check: str
    findings: List[Finding] = field(default_factory=list)
    sections: List[str] = field(default_factory=list)
    # Machine-readable results (curves, stats) for tests and scripts.
    data: Dict = field(default_factory=dict)

    def add(self, severity: str, topic: str, message: str) -> Finding:
        finding = Finding(severity, topic, message)
        self.findings.append(finding)
        return finding

    def error(self, topic: str, message: str) -> Finding:
        return self.add(ERROR, topic, message)

    def warning(self, topic: str, message: str) -> Finding:
        return self.add(WARNING, topic, message)

    def info(self, topic: str, message: str) -> Finding:
        return self.add(INFO, topic, message)

    def section(self, title: str, body: str) -> None:
        """Add a block of text (a table, a curve) printed before the findings."""
        self.sections.append(f'--- {title} ---\n{body.rstrip()}')

    def by_severity(self, severity: str) -> List[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def errors(self) -> List[Finding]:
        return self.by_severity(ERROR)

    @property
    def warnings(self) -> List[Finding]:
        return self.by_severity(WARNING)

    def topics(self, severity: str = None) -> List[str]:
        """Topics of the findings (of one severity when given)."""
        return [f.topic for f in self.findings
                if severity is None or f.severity == severity]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def format(self) -> str:
        """Sections, then findings sorted by severity, then a summary line."""
        lines: List[str] = [f'=== diagnose {self.check} ===']
        lines.extend(self.sections)
        ordered: Iterable[Finding] = sorted(
            self.findings, key=lambda f: _ORDER[f.severity])
        if self.findings:
            lines.append('--- findings ---')
            lines.extend(str(f) for f in ordered)
        counts = {s: len(self.by_severity(s)) for s in _ORDER}
        verdict = 'FAILED' if counts[ERROR] else 'OK'
        lines.append(f'{self.check}: {verdict} ({counts[ERROR]} error(s), '
                     f'{counts[WARNING]} warning(s), {counts[INFO]} info)')
        return '\n'.join(lines)
