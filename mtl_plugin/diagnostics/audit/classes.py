"""Audit of class counts and class order: dataset metainfo vs every
``num_classes`` of the heads and metrics, train vs val vs test class lists."""
from typing import Dict

from mmengine.config import Config

from mtl_plugin.apis import config_scope

from ..config_inspect import (
    dataset_classes,
    dataset_metainfo,
    evaluator_metrics,
    head_task,
    heads_with_num_classes,
    loader_datasets,
    type_name,
)
from ..findings import Report


def _candidate_counts(meta: Dict) -> Dict[str, int]:
    """Lengths of every ``*classes`` list in a dataset's metainfo."""
    return {k: len(v) for k, v in meta.items()
            if k.endswith('classes') and isinstance(v, (list, tuple))}


def check_classes(cfg: Config, report: Report) -> None:
    scope = config_scope(cfg)
    datasets = loader_datasets(cfg)
    lists = [(p, dataset_classes(d, scope)) for p, d in datasets]
    lists = [(p, c) for p, c in lists if c]
    if not lists:
        report.warning('classes', 'no dataset declares classes (metainfo.classes '
                       'or the dataset class METAINFO): class counts not checked')
        return
    ref_path, ref = lists[0]
    for p, c in lists[1:]:
        if c == ref:
            continue
        if set(c) == set(ref):
            report.error('class order', f'{p} lists the classes in another order '
                         f'than {ref_path}: {list(c)} vs {list(ref)}: label ids '
                         'would mean different classes at train and test time')
        else:
            report.error('classes', f'{p} classes {list(c)} differ from '
                         f'{ref_path} classes {list(ref)}')
    counts = {}
    for p, d in datasets:
        counts.update({f'{p}.metainfo.{k}': n for k, n in
                       _candidate_counts(dataset_metainfo(d, scope)).items()})
    allowed = set(counts.values())
    shown = ', '.join(f'{k}={v}' for k, v in sorted(counts.items())[:4])
    for path, head in heads_with_num_classes(cfg.get('model') or {}):
        n = head['num_classes']
        if n in allowed:
            continue
        if n == 1 and 2 in allowed:
            report.info('num_classes', f'{path}.num_classes=1 with a 2-class '
                        'dataset: a single-logit (sigmoid) binary head')
            continue
        report.error('num_classes',
                     f'{path}.num_classes={n} ({type_name(head)}, '
                     f'{head_task(path, head)} head) does not match the dataset '
                     f'class count ({shown})')
    for key in ('val_evaluator', 'test_evaluator'):
        for path, metric in evaluator_metrics(cfg, key):
            n = metric.get('num_classes')
            if isinstance(n, int) and n not in allowed:
                report.error('num_classes', f'{path}.num_classes={n} '
                             f'({type_name(metric)}) does not match the dataset '
                             f'class count ({shown})')
            names = metric.get('classes') or metric.get('class_names')
            if names and tuple(names) != ref:
                report.error('class order', f'{path} classes {list(names)} differ '
                             f'from the dataset classes {list(ref)}')
    meta = dataset_metainfo(lists[0] and datasets[0][1], scope)
    palette = meta.get('palette')
    if palette is not None and len(palette) < len(ref):
        report.warning('classes', f'{ref_path}: palette has {len(palette)} colours '
                       f'for {len(ref)} classes')
    report.info('classes', f'{len(ref)} classes {list(ref)[:12]}'
                f'{" ..." if len(ref) > 12 else ""}')
