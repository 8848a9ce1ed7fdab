"""The map tests: wrong-reason mass and deletion / insertion faithfulness.

Run on the defect images called defect (``D+``, as the score tests) whose
prediction carries a map (GAIN-MTL's ``pred_cam``): the map explains a
defect decision, so it is read where there is one to explain. Definitions
in :mod:`.wrong_reason` and :mod:`.faithfulness`. Summary keys (NaN without
a mapped image): ``wrong_reason_mass`` and its chance level
``wrong_reason_chance``; ``deletion_auc``, ``deletion_auc_random``,
``deletion_gain`` (random minus map: > 0 when the map's order removes the
evidence faster than random), ``insertion_auc``, ``insertion_auc_random``,
``insertion_gain`` (map minus random); ``map_n``, the images measured.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .audit_samples import AuditSample
from .composites import defect_region
from .faithfulness import ScoreFn, faithfulness_curves, removal_baseline
from .settings import AuditSettings
from .wrong_reason import wrong_reason_mass

MAP_KEYS = ('wrong_reason_mass', 'wrong_reason_chance', 'deletion_auc',
            'deletion_auc_random', 'deletion_gain', 'insertion_auc',
            'insertion_auc_random', 'insertion_gain')


def run_map_tests(score_fn: ScoreFn, samples: Sequence[AuditSample],
                  maps: Sequence[Optional[np.ndarray]], base_scores: np.ndarray,
                  score_thr: float, settings: AuditSettings
                  ) -> Tuple[Dict[str, float], List[Dict[str, Any]]]:
    """Map tests of the ``D+`` images that have a map.

    Args:
        score_fn: ``(M, H, W, C)`` uint8 images -> ``(M,)`` defect scores.
        samples: the audited images.
        maps: one ``(H, W)`` map (or None) per sample, at the sample's size.
        base_scores: ``(N,)`` scores of the samples.
        score_thr: the operating point.
        settings: dilation, curve steps, removal baseline, random orders,
            seed.

    Returns:
        ``(summary, rows)``: the summary keys of the module doc, and one dict
        per sample (empty for a sample not measured) with its
        ``wrong_reason_mass``, ``deletion_auc``, ``insertion_auc``,
        ``deletion_auc_random``, ``insertion_auc_random``.
    """
    # A generator of its own, so that the pixel orders do not depend on how
    # many partners the score tests drew.
    rng = np.random.default_rng(settings.seed + 1)
    rows: List[Dict[str, Any]] = [{} for _ in samples]
    values: Dict[str, List[float]] = {key: [] for key in MAP_KEYS}
    for k, sample in enumerate(samples):
        if not sample.is_defect or base_scores[k] < score_thr or maps[k] is None:
            continue
        saliency = maps[k]
        region = defect_region(sample.mask, settings.dilate)
        mass, chance = wrong_reason_mass(saliency, region)
        curves = faithfulness_curves(
            score_fn, sample.image, saliency,
            removal_baseline(sample.image, settings.baseline, settings.baseline_sigma),
            settings.num_steps, settings.num_random, rng)
        row = dict(wrong_reason_mass=mass,
                   **{key: float(curves[key]) for key in (
                       'deletion_auc', 'insertion_auc', 'deletion_auc_random',
                       'insertion_auc_random')})
        rows[k] = row
        values['wrong_reason_chance'].append(chance)
        values['deletion_gain'].append(row['deletion_auc_random'] - row['deletion_auc'])
        values['insertion_gain'].append(row['insertion_auc'] - row['insertion_auc_random'])
        for key, value in row.items():
            values[key].append(value)
    summary: Dict[str, float] = {
        key: float(np.mean(v)) if v else float('nan') for key, v in values.items()}
    summary['map_n'] = len(values['wrong_reason_mass'])
    return summary, rows
