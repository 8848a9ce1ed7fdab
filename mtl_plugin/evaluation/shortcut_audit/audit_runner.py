"""Run the whole audit: on a built model and dataset (:func:`audit_model`),
or from a config and checkpoint (:func:`run_shortcut_audit`, the library
entry point of ``tools/analysis/shortcut_audit.py``)."""
import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

import numpy as np
from mmengine.config import Config
from torch import nn

from mtl_plugin.apis import build_dataset, build_model, load_config
from mtl_plugin.evaluation.operating_point import best_f1_threshold

from .audit_outputs import write_audit_outputs
from .audit_samples import load_audit_samples
from .map_tests import MAP_KEYS, run_map_tests
from .model_scorer import ModelScorer, OperatingPoint
from .score_tests import Example, run_score_tests
from .settings import AuditSettings
from .verdict import VerdictRule, decide

#: ``score_thr`` value: the best-F1 threshold on the audited images.
BEST_F1 = 'best-f1'


@dataclass
class AuditResult:
    """What :func:`audit_model` measured.

    Attributes:
        audit: the JSON-ready dict (``summary``, ``verdict``,
            ``operating_point``, ``score_thr_request`` (the ``score_thr``
            asked for: ``None``, a probability or ``'best-f1'``),
            ``settings``, ``skipped``, ``run_time_s``,
            ``seconds_per_100_images``, ``maps``: whether the map tests ran).
        rows: one dict per audited image (the per-image CSV).
        examples: example figures.
    """

    audit: Dict[str, Any]
    rows: List[Dict[str, Any]] = field(default_factory=list)
    examples: List[Example] = field(default_factory=list)


def audit_model(model: nn.Module, dataset: Any,
                settings: Optional[AuditSettings] = None,
                rule: Optional[VerdictRule] = None,
                defect_class: Optional[int] = None,
                score_thr: Union[float, str, None] = None,
                where: str = 'dataset') -> AuditResult:
    """Audit ``model`` on the images of ``dataset``.

    Args:
        model: a classifier (see
            :class:`~mtl_plugin.evaluation.shortcut_audit.ModelScorer`).
        dataset: a dataset whose pipeline gives the image and the defect
            mask (see :func:`~.audit_samples.load_audit_samples`).
        settings: composites, curves, subset; defaults of
            :class:`AuditSettings`.
        rule: verdict thresholds; defaults of :class:`VerdictRule`.
        defect_class / score_thr: operating point; ``None``: the model's own
            (:func:`~.model_scorer.operating_point`); ``score_thr='best-f1'``:
            the threshold of the best F1 on the audited images' own scores,
            so that a model whose scores rank well but sit below its
            configured threshold (nothing "called defect", nothing to test)
            is audited where it separates the split best.
        where: name of the data in error messages.

    Raises:
        ValueError: no image left to audit.
    """
    settings = settings if settings is not None else AuditSettings()
    rule = rule if rule is not None else VerdictRule()
    start = time.perf_counter()
    best_f1 = score_thr == BEST_F1
    if isinstance(score_thr, str) and not best_f1:
        raise ValueError(f"score_thr={score_thr!r}; expected a probability or "
                         f"'{BEST_F1}'")
    scorer = ModelScorer(model, defect_class, None if best_f1 else score_thr,
                         settings.batch_size)
    samples, skipped = load_audit_samples(dataset, scorer.defect_class,
                                          settings.max_images, where)
    if not samples:
        raise ValueError(f'{where}: no image to audit ({len(skipped)} skipped: '
                         f'{skipped[:3]})')
    base, maps = scorer.score_with_maps([s.image for s in samples])
    if best_f1:
        thr = best_f1_threshold(base, np.array([s.is_defect for s in samples]))
        if math.isnan(thr):
            raise ValueError(f"{where}: score_thr='{BEST_F1}' needs defect images "
                             'among the audited ones')
        scorer.point = OperatingPoint(scorer.defect_class, thr,
                                      f'score_thr {thr:.4g}: best F1 on the {where}')
    result = run_score_tests(scorer, samples, scorer.score_thr, settings, base)
    summary = dict(result.summary)
    rows = result.rows
    with_maps = settings.with_maps and any(m is not None for m in maps)
    if with_maps:
        map_summary, map_rows = run_map_tests(scorer, samples, maps, base,
                                              scorer.score_thr, settings)
        summary.update(map_summary)
        for row, extra in zip(rows, map_rows):
            row.update(extra)
    else:
        summary.update({key: math.nan for key in MAP_KEYS}, map_n=0)
    run_time = time.perf_counter() - start
    audit = dict(
        summary=summary, verdict=decide(summary, rule),
        operating_point=scorer.point._asdict(), score_thr_request=score_thr,
        settings=settings.to_dict(),
        rule=rule.to_dict(), maps=with_maps, skipped=skipped,
        run_time_s=run_time,
        seconds_per_100_images=100.0 * run_time / len(samples))
    return AuditResult(audit, rows, result.examples)


def run_shortcut_audit(cfg: Union[str, Config], checkpoint: Optional[str] = None,
                       split: str = 'val', out_dir: Optional[str] = None,
                       settings: Optional[AuditSettings] = None,
                       rule: Optional[VerdictRule] = None,
                       defect_class: Optional[int] = None,
                       score_thr: Union[float, str, None] = None,
                       device: str = 'cpu',
                       cfg_options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Audit the model of a config on one of its splits.

    Args:
        cfg: config file or loaded config.
        checkpoint: weights (``None``: the config's initialisation).
        split: ``'val'`` (default), ``'train'`` or ``'test'``: the dataset of
            ``<split>_dataloader``, with its pipeline.
        out_dir: where to write ``audit.json``, ``per_image.csv`` and the
            example PNGs (:mod:`.audit_outputs`); ``None``: write nothing.
        settings / rule / defect_class / score_thr: see :func:`audit_model`.
        device: where the model runs.
        cfg_options: ``--cfg-options`` overrides of a config file.

    Returns:
        The audit dict: ``summary`` (every number), ``verdict``,
        ``operating_point``, ``score_thr_request``, ``settings``, ``rule``, ``skipped``,
        ``run_time_s``, ``seconds_per_100_images``, ``config``,
        ``checkpoint``, ``split`` and, with ``out_dir``, ``examples`` and
        ``files``.
    """
    config_name = cfg if isinstance(cfg, str) else (cfg.filename or '<config>')
    if isinstance(cfg, str):
        cfg = load_config(cfg, cfg_options)
    elif cfg_options:
        cfg = copy.deepcopy(cfg)  # the caller's config stays as it was
        cfg.merge_from_dict(cfg_options)
    model = build_model(cfg, checkpoint, device)
    dataset = build_dataset(cfg, split)
    result = audit_model(model, dataset, settings, rule, defect_class, score_thr,
                         where=f'{config_name} ({split} split)')
    audit = dict(result.audit, config=config_name, checkpoint=checkpoint, split=split)
    if out_dir is not None:
        audit = write_audit_outputs(audit, result.rows, result.examples, out_dir)
    return audit
