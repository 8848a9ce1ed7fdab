"""The verdict rule, its thresholds and the summary table."""
import math

import pytest

from mtl_plugin.evaluation.shortcut_audit import (
    VerdictRule,
    decide,
    format_summary_table,
    summary_rows,
    verdict_line,
)


def _summary(**changes):
    s = dict(necessity=0.9, necessity_n=20, sufficiency=0.8, sufficiency_n=20,
             sufficiency_control=0.05, sufficiency_control_n=20, context_swap=0.1,
             context_swap_flip=0.05, context_swap_n=20, map_n=20, deletion_gain=0.1,
             insertion_gain=0.2)
    s.update(changes)
    return s


def test_pass_flag_inconclusive():
    assert decide(_summary())['verdict'] == 'PASS'
    flagged = decide(_summary(necessity=0.4, context_swap=0.3))
    assert flagged['verdict'] == 'FLAG'
    assert flagged['reasons'] == ['necessity 0.400 < 0.5 (n=20)',
                                  'context_swap 0.300 > 0.2 (n=20)']
    assert [c['status'] for c in flagged['checks']] == ['fail', 'ok', 'ok', 'fail', 'ok']
    # scores close to the threshold: a small change that flips decisions
    flips = decide(_summary(context_swap=0.01, context_swap_flip=0.6))
    assert flips['reasons'] == ['context_swap_flip 0.600 > 0.2 (n=20)']
    # thresholds are inclusive
    assert decide(_summary(necessity=0.5, context_swap=0.2))['verdict'] == 'PASS'
    few = decide(_summary(sufficiency_n=4))
    assert few['verdict'] == 'INCONCLUSIVE'
    assert few['reasons'] == ['sufficiency unmeasured: 4 image(s), need 5']
    nan = decide(_summary(sufficiency_control=math.nan))
    assert nan['verdict'] == 'INCONCLUSIVE'
    # a failure outranks an unmeasured test
    assert decide(_summary(sufficiency_n=0, necessity=0.1))['verdict'] == 'FLAG'


def test_thresholds_are_options():
    strict = VerdictRule(min_necessity=0.95, min_images=30)
    d = decide(_summary(necessity_n=40, sufficiency_n=40, sufficiency_control_n=40,
                        context_swap_n=40), strict)
    assert d['verdict'] == 'FLAG' and d['reasons'] == ['necessity 0.900 < 0.95 (n=40)']
    assert 'necessity >= 0.95' in d['rule'] and '>= 30 images' in d['rule']
    with pytest.raises(ValueError, match='max_context_swap'):
        VerdictRule(max_context_swap=2.0)


def test_map_verdict():
    assert decide(_summary())['map_verdict'] == 'faithful'
    assert decide(_summary(insertion_gain=-0.01))['map_verdict'] == 'unfaithful'
    # a gain within the noise of a random order is no evidence
    assert decide(_summary(deletion_gain=0.001))['map_verdict'] == 'unfaithful'
    assert decide(_summary(deletion_gain=0.001), VerdictRule(min_map_gain=0.0)
                  )['map_verdict'] == 'faithful'
    assert decide(_summary(map_n=0, deletion_gain=math.nan))['map_verdict'] == 'n/a'
    # the map does not enter the verdict
    assert decide(_summary(insertion_gain=-0.5))['verdict'] == 'PASS'


def test_table_rows_and_line():
    summary = _summary(necessity_score_drop=0.7, combined=0.85,
                       wrong_reason_mass=math.nan, num_images=40, num_defect=20,
                       num_normal=20, recall=1.0, specificity=0.95)
    audit = dict(summary=summary, verdict=decide(summary), split='val',
                 operating_point=dict(defect_class=1, score_thr=0.5, source='default'))
    rows = {r[0]: r for r in summary_rows(audit)}
    assert rows['necessity'][1:3] == ('0.900', '20')
    assert rows['wrong_reason_mass'][1] == 'n/a'
    assert rows['combined'][2] == ''
    # audit.json stores NaN as null
    rows = {r[0]: r for r in summary_rows(dict(audit, summary=dict(summary, necessity=None)))}
    assert rows['necessity'][1] == 'n/a'
    table = format_summary_table(audit)
    assert '| necessity | 0.900 | 20 |' in table
    assert 'p(class 1) >= 0.5' in table
    assert verdict_line(audit['verdict']) == 'verdict: PASS | map: faithful'
    assert table.splitlines()[-2] == 'verdict: PASS | map: faithful'
