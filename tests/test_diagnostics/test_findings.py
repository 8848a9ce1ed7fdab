import pytest

from mtl_plugin.diagnostics.findings import Finding, Report


def test_report_severity_and_exit_code():
    r = Report('audit')
    r.info('a', 'context')
    r.warning('b', 'maybe wrong')
    assert r.exit_code == 0
    r.error('c', 'wrong: key x=1, expected 2')
    assert r.exit_code == 1
    text = r.format()
    # Errors print first, with their severity, and the summary counts them.
    assert text.index('[ERROR  ] c:') < text.index('[WARNING] b:') < text.index(
        '[INFO   ] a:')
    assert 'audit: FAILED (1 error(s), 1 warning(s), 1 info)' in text
    assert r.topics('ERROR') == ['c']


def test_bad_severity_rejected():
    with pytest.raises(ValueError, match='severity'):
        Finding('FATAL', 'x', 'y')
