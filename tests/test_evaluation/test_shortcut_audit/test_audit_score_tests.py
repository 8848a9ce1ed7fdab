"""Necessity, sufficiency, context swap and the verdict with toy "models"
whose reasons are known: one reads the defect (a dark spot), one a
shortcut cue (a bright corner stamp that every defect image carries)."""
import numpy as np
import pytest

from mtl_plugin.evaluation.shortcut_audit import AuditSample, AuditSettings, decide, run_score_tests

S = 16
SURFACE, SPOT, CUE = 100, 20, 250


def right_reason(images):
    """Defect iff a dark spot is present."""
    return np.array([float((img[..., 0] < 50).any()) for img in images])


def shortcut(images):
    """Defect iff the corner stamp is present."""
    return np.array([float(img[0, 0, 0] > 200) for img in images])


def _samples(num_defect=6, num_normal=6, cue_on=None):
    samples = []
    for k in range(num_defect):
        img = np.full((S, S, 3), SURFACE + k, np.uint8)
        mask = np.zeros((S, S), bool)
        y, x = 6 + k % 4, 5 + k % 6
        mask[y:y + 2, x:x + 2] = True
        img[mask] = SPOT
        if cue_on is None or k in cue_on:
            img[:2, :2] = CUE
        samples.append(AuditSample(k, f'd{k}.png', img, mask, True))
    for k in range(num_normal):
        img = np.full((S, S, 3), SURFACE - k, np.uint8)
        samples.append(AuditSample(num_defect + k, f'n{k}.png', img,
                                   np.zeros((S, S), bool), False))
    return samples


@pytest.mark.parametrize('fill', ['normal', 'inpaint', 'blur'])
@pytest.mark.parametrize('blend', ['hard', 'alpha', 'poisson'])
def test_right_reason_model_passes(fill, blend):
    settings = AuditSettings(dilate=1, fill=fill, blend=blend, num_examples=2)
    result = run_score_tests(right_reason, _samples(), 0.5, settings)
    s = result.summary
    assert s['necessity'] == 1.0 and s['necessity_n'] == 6
    assert s['necessity_score_drop'] == 1.0
    assert s['sufficiency'] == 1.0 and s['sufficiency_n'] == 6
    assert s['sufficiency_control'] == 0.0 and s['sufficiency_control_n'] == 6
    assert s['context_swap'] == 0.0 and s['context_swap_flip'] == 0.0
    assert s['combined'] == 1.0
    decision = decide(s)
    assert decision['verdict'] == 'PASS' and decision['reasons'] == []
    assert decision['map_verdict'] == 'n/a'


def test_shortcut_model_is_flagged_on_every_test():
    result = run_score_tests(shortcut, _samples(), 0.5, AuditSettings(dilate=1))
    s = result.summary
    # the decision is right on every image of this biased set ...
    assert s['recall'] == 1.0 and s['specificity'] == 1.0
    # ... and for the wrong reason
    assert s['necessity'] == 0.0 and s['sufficiency'] == 0.0
    assert s['context_swap'] == 1.0 and s['context_swap_signed'] == -1.0
    assert s['context_swap_flip'] == 1.0 and s['combined'] == 0.0
    decision = decide(s)
    assert decision['verdict'] == 'FLAG'
    assert [r.split()[0] for r in decision['reasons']] == [
        'necessity', 'sufficiency', 'context_swap', 'context_swap_flip']


def test_populations_are_the_correct_decisions():
    # d0, d1 carry no cue: the shortcut model misses them, so they are not
    # in the necessity / context populations, but count in the combined rate
    samples = _samples(cue_on={2, 3, 4, 5})
    result = run_score_tests(shortcut, samples, 0.5, AuditSettings(dilate=1))
    s = result.summary
    assert s['num_defect_called_defect'] == 4 and s['recall'] == pytest.approx(4 / 6)
    assert s['necessity_n'] == 4 and s['context_swap_n'] == 4
    rows = result.rows
    assert [r['called_defect'] for r in rows[:6]] == [0, 0, 1, 1, 1, 1]
    assert 'necessity_score' not in rows[0] and rows[2]['necessity_score'] == 1.0
    # hosts get a donor among the recognised defects only
    donors = {r['sufficiency_partner'] for r in rows[6:]}
    assert donors <= {'d2.png', 'd3.png', 'd4.png', 'd5.png'}
    # control partners are other normal images
    assert all(r['control_partner'].startswith('n') and
               r['control_partner'] != r['img_path'] for r in rows[6:])


def test_everything_defect_and_missing_populations():
    def always(images):
        return np.ones(len(images))

    s = run_score_tests(always, _samples(), 0.5, AuditSettings(dilate=1)).summary
    assert s['necessity'] == 0.0 and s['context_swap'] == 0.0
    assert s['sufficiency_n'] == 0 and np.isnan(s['sufficiency'])
    # right-and-passes: necessity 0, sufficiency 0 (no normal called normal),
    # context 1 (the defect stays a defect)
    assert s['combined'] == pytest.approx(1 / 3)
    decision = decide(s)
    assert decision['verdict'] == 'FLAG'
    assert any('sufficiency unmeasured' in r for r in decision['reasons'])
    # no normal image at all: the normal-content tests cannot run
    only_defects = _samples(num_normal=0)
    s = run_score_tests(right_reason, only_defects, 0.5, AuditSettings(dilate=1)).summary
    assert s['necessity_n'] == 0 and s['context_swap_n'] == 0 and np.isnan(s['combined'])
    s = run_score_tests(right_reason, only_defects, 0.5,
                        AuditSettings(dilate=1, fill='inpaint')).summary
    assert s['necessity_n'] == 6 and s['necessity'] == 1.0


def test_examples_show_the_composites_with_their_scores():
    result = run_score_tests(shortcut, _samples(), 0.5,
                             AuditSettings(dilate=1, num_examples=1))
    names = [e.name for e in result.examples]
    assert names == ['defect_000', 'normal_000']
    defect, normal = result.examples
    assert [t for t, _ in defect.panels] == [
        'original p=1.00', 'necessity p=1.00', 'context swap p=0.00']
    assert [t.split()[0] for t, _ in normal.panels] == [
        'host', 'donor', 'sufficiency', 'control']
    # the context-swap composite keeps the defect and loses the corner cue
    swapped = defect.panels[2][1]
    assert swapped[0, 0, 0] < 200 and (swapped[..., 0] == SPOT).sum() == 4
    none = run_score_tests(shortcut, _samples(), 0.5, AuditSettings(num_examples=0))
    assert none.examples == []


def test_partner_columns_name_the_images_used():
    rows = run_score_tests(right_reason, _samples(), 0.5,
                           AuditSettings(fill='inpaint')).rows
    # inpainting uses no partner; the context swap does
    assert all(r['necessity_partner'] == '' for r in rows[:6])
    assert all(r['context_partner'].startswith('n') for r in rows[:6])


def test_pairing_depends_on_the_seed_only():
    a = run_score_tests(right_reason, _samples(), 0.5, AuditSettings(seed=3)).rows
    b = run_score_tests(right_reason, _samples(), 0.5, AuditSettings(seed=3)).rows
    c = run_score_tests(right_reason, _samples(), 0.5, AuditSettings(seed=4)).rows
    assert a == b
    assert [r.get('sufficiency_partner') for r in a] != [
        r.get('sufficiency_partner') for r in c]
