"""The score-only counterfactual tests: necessity, sufficiency, context swap.

They need the model's defect score and nothing else, so they work for any
classifier. Notation: ``s(x)`` is the defect score of image ``x``, ``t``
the operating point (an image is *called defect* iff ``s(x) >= t``), ``R``
the defect region (the dilated mask, see :mod:`.composites`). Populations:
``D+`` the defect images called defect, ``N-`` the normal images called
normal (the tests ask whether a *correct* decision is made for the right
reason; a decision that is already wrong cannot flip for the right reason).

* **Necessity** (``D+``): ``R`` of each image is replaced by defect-free
  content (:func:`~.composites.remove_defect`: a normal image's ``R``, an
  inpainting or a blur). ``necessity`` = fraction now called normal;
  ``necessity_score_drop`` = mean of ``s(x) - s(x')``.
* **Sufficiency** (``N-``): each normal host receives the ``R`` of a defect
  image of ``D+`` (:func:`~.composites.paste_region`). ``sufficiency`` =
  fraction now called defect; ``sufficiency_score_gain`` = mean of ``s(x')
  - s(x)``. Control: the same region (same mask, same blending) cut from
  another *normal* image; ``sufficiency_control`` = fraction of those called
  defect. A high control means the model reacts to the paste itself (its
  seams), and sufficiency is then no evidence.
* **Context swap** (``D+``): everything outside ``R`` becomes a normal
  image's content (the defect image's ``R`` pasted into the normal image).
  ``context_swap`` = mean ``|s(x') - s(x)|``; ``context_swap_signed`` =
  mean ``s(x') - s(x)``; ``context_swap_flip`` = fraction now called normal.
* **Combined** (all defect images ``D``, all normal images ``N``): the mean
  of three rates, ``#{D+ whose necessity composite is called normal} /
  |D|``, ``#{N- whose sufficiency composite is called defect} / |N|`` and
  ``#{D+ whose context-swap composite is still called defect} / |D|``: the
  fraction of decisions that are right *and* pass the test, so a model that
  misses defects or calls everything defect scores low too (it never needs
  ``D+`` or ``N-`` to be non-empty, which makes it a checkpoint criterion).

Partners are drawn with ``settings.seed``: every image of ``D+`` gets a
normal partner (cycling through a permutation of the normal images), every
host of ``N-`` a defect donor from ``D+`` and a control donor among the
other normal images. A partner of another size is resized to the image it
is combined with (bilinear; masks nearest).
"""
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .audit_samples import AuditSample
from .composites import paste_region, remove_defect
from .settings import AuditSettings

#: ``score_fn(images) -> (N,)`` defect scores of ``(H, W, C)`` uint8 images.
ScoreFn = Callable[[Sequence[np.ndarray]], np.ndarray]


@dataclass
class Example:
    """One example figure: panels ``(title, (H, W, C) uint8 image)`` side by
    side, saved as ``<name>.png``."""

    name: str
    panels: List[Tuple[str, np.ndarray]]


@dataclass
class ScoreTestResult:
    """Summary numbers, one row per sample (aligned with the samples), and
    example figures."""

    summary: Dict[str, float]
    rows: List[Dict[str, Any]]
    examples: List[Example] = field(default_factory=list)


def _fit(image: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    if image.shape[:2] == tuple(shape):
        return image
    out = cv2.resize(image, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return out.reshape(shape + image.shape[2:])


def _fit_mask(mask: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    if mask.shape == tuple(shape):
        return mask
    return cv2.resize(mask.astype(np.uint8), (shape[1], shape[0]),
                      interpolation=cv2.INTER_NEAREST) > 0


def _cycle(donors: Sequence[int], count: int, rng: np.random.Generator) -> List[int]:
    """``count`` partners cycling through a random permutation of ``donors``."""
    if not donors:
        return []
    perm = rng.permutation(np.asarray(donors))
    return [int(perm[i % len(perm)]) for i in range(count)]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else float('nan')


def _title(name: str, score: float) -> str:
    return f'{name} p={score:.2f}'


def run_score_tests(score_fn: ScoreFn, samples: Sequence[AuditSample],
                    score_thr: float, settings: AuditSettings,
                    base_scores: Optional[np.ndarray] = None) -> ScoreTestResult:
    """Necessity, sufficiency (with its control) and context swap.

    Args:
        score_fn: defect scores of a list of ``(H, W, C)`` uint8 images.
        samples: the audited images (:func:`~.audit_samples.load_audit_samples`).
        score_thr: the operating point ``t``.
        settings: dilation, fill, blending, seed, number of examples.
        base_scores: ``(N,)`` scores of the samples when already computed.

    Returns:
        :class:`ScoreTestResult` (keys of ``summary`` in the module doc, plus
        ``num_*`` counts and ``recall`` / ``specificity`` at ``t`` on the
        audited images; NaN where a population is empty).
    """
    rng = np.random.default_rng(settings.seed)
    images = [s.image for s in samples]
    base = (np.asarray(score_fn(images), np.float64) if base_scores is None
            else np.asarray(base_scores, np.float64))
    called = base >= score_thr
    defect = [k for k, s in enumerate(samples) if s.is_defect]
    normal = [k for k, s in enumerate(samples) if not s.is_defect]
    d_plus = [k for k in defect if called[k]]
    n_minus = [k for k in normal if not called[k]]

    partner = _cycle(normal, len(d_plus), rng)  # normal partner of each D+ image
    donor = _cycle(d_plus, len(n_minus), rng)  # defect donor of each N- host
    control = []  # another normal image for each host
    for host in n_minus:
        others = [k for k in normal if k != host]
        control.append(int(others[rng.integers(len(others))]) if others else None)

    # Composites are built and scored a batch at a time; only those of the
    # example images are kept.
    jobs: List[Tuple[str, int, Optional[int], Callable[[], np.ndarray]]] = []
    for k, j in zip(d_plus, partner or [None] * len(d_plus)):
        image, mask = samples[k].image, samples[k].mask
        normal_img = None if j is None else _fit(samples[j].image, image.shape[:2])
        if settings.fill != 'normal':
            jobs.append(('necessity', k, None, partial(
                remove_defect, image, mask, settings.dilate, settings.fill,
                inpaint_radius=settings.inpaint_radius,
                blur_size=settings.blur_size)))
        elif normal_img is not None:
            jobs.append(('necessity', k, j, partial(
                remove_defect, image, mask, settings.dilate, 'normal', normal_img,
                settings.blend)))
        if normal_img is not None:
            jobs.append(('context', k, j, partial(
                paste_region, image, normal_img, mask, settings.dilate,
                settings.blend)))
    for host, d, c in zip(n_minus, donor, control):  # no donor: no job
        shape = samples[host].image.shape[:2]
        mask = _fit_mask(samples[d].mask, shape)
        jobs.append(('sufficiency', host, d, partial(
            paste_region, _fit(samples[d].image, shape), samples[host].image, mask,
            settings.dilate, settings.blend)))
        if c is not None:
            jobs.append(('control', host, c, partial(
                paste_region, _fit(samples[c].image, shape), samples[host].image,
                mask, settings.dilate, settings.blend)))
    shown = set(d_plus[:settings.num_examples]) | set(n_minus[:settings.num_examples])

    rows = [dict(img_path=s.img_path, label='defect' if s.is_defect else 'normal',
                 score=float(base[k]), called_defect=int(called[k]))
            for k, s in enumerate(samples)]
    by_test: Dict[str, Dict[int, Tuple[float, Optional[int], Optional[np.ndarray]]]] = {
        name: {} for name in ('necessity', 'context', 'sufficiency', 'control')}
    for start in range(0, len(jobs), settings.batch_size):
        chunk = jobs[start:start + settings.batch_size]
        composites = [build() for *_, build in chunk]
        scores = np.asarray(score_fn(composites), np.float64)
        for (name, k, other, _), image, score in zip(chunk, composites, scores):
            by_test[name][k] = (float(score), other, image if k in shown else None)
            rows[k][f'{name}_score'] = float(score)
            rows[k][f'{name}_partner'] = ('' if other is None
                                          else samples[other].img_path)

    nec = by_test['necessity']
    ctx = by_test['context']
    suf = by_test['sufficiency']
    ctl = by_test['control']
    summary = dict(
        num_images=len(samples), num_defect=len(defect), num_normal=len(normal),
        num_defect_called_defect=len(d_plus), num_normal_called_normal=len(n_minus),
        recall=len(d_plus) / len(defect) if defect else float('nan'),
        specificity=len(n_minus) / len(normal) if normal else float('nan'),
        necessity=_mean([v[0] < score_thr for v in nec.values()]),
        necessity_score_drop=_mean([base[k] - v[0] for k, v in nec.items()]),
        necessity_n=len(nec),
        sufficiency=_mean([v[0] >= score_thr for v in suf.values()]),
        sufficiency_score_gain=_mean([v[0] - base[k] for k, v in suf.items()]),
        sufficiency_n=len(suf),
        sufficiency_control=_mean([v[0] >= score_thr for v in ctl.values()]),
        sufficiency_control_n=len(ctl),
        context_swap=_mean([abs(v[0] - base[k]) for k, v in ctx.items()]),
        context_swap_signed=_mean([v[0] - base[k] for k, v in ctx.items()]),
        context_swap_flip=_mean([v[0] < score_thr for v in ctx.values()]),
        context_swap_n=len(ctx))
    if defect and normal:
        summary['combined'] = float(np.mean([
            sum(v[0] < score_thr for v in nec.values()) / len(defect),
            sum(v[0] >= score_thr for v in suf.values()) / len(normal),
            sum(v[0] >= score_thr for v in ctx.values()) / len(defect)]))
    else:
        summary['combined'] = float('nan')
    return ScoreTestResult(summary, rows, _examples(samples, base, by_test))


def _examples(samples: Sequence[AuditSample], base: np.ndarray,
              by_test: Dict[str, Dict[int, Tuple[float, Optional[int],
                                                 Optional[np.ndarray]]]]
              ) -> List[Example]:
    """Figures of the images whose composites were kept: defect images
    (original | necessity | context swap) and normal hosts (host | defect
    donor | sufficiency | control)."""
    def kept(*names):
        return sorted({k for name in names for k, v in by_test[name].items()
                       if v[2] is not None})

    examples = []
    for n, k in enumerate(kept('necessity', 'context')):
        panels = [(_title('original', base[k]), samples[k].image)]
        for name, label in (('necessity', 'necessity'), ('context', 'context swap')):
            if k in by_test[name]:
                score, _, image = by_test[name][k]
                panels.append((_title(label, score), image))
        examples.append(Example(f'defect_{n:03d}', panels))
    for n, k in enumerate(kept('sufficiency')):
        score, d, image = by_test['sufficiency'][k]
        panels = [(_title('host', base[k]), samples[k].image),
                  (_title('donor', base[d]), samples[d].image),
                  (_title('sufficiency', score), image)]
        if k in by_test['control']:
            c_score, _, c_image = by_test['control'][k]
            panels.append((_title('control', c_score), c_image))
        examples.append(Example(f'normal_{n:03d}', panels))
    return examples
