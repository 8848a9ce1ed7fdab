"""Audit of ``ignore_index``: heads / losses, datasets and metrics
(explicit values or the registered class's default) must agree."""
from typing import Dict

from mmengine.config import Config

from mtl_plugin.apis import config_scope

from ..config_inspect import (
    evaluator_metrics,
    get_class,
    head_task,
    is_missing,
    loader_datasets,
    metric_task,
    param_default,
    resolved_param,
    walk_dicts,
)
from ..findings import Report


def check_ignore_index(cfg: Config, report: Report) -> None:
    scope = config_scope(cfg)
    values: Dict[str, object] = {}
    model = cfg.get('model') or {}
    for path, d in walk_dicts(model, 'model'):
        if 'ignore_index' in d:
            values[f'{path}.ignore_index'] = d['ignore_index']
        elif 'type' in d and head_task(path, d) == 'seg' and path.endswith('head'):
            v = param_default(get_class('MODELS', d['type'], scope), 'ignore_index')
            if not is_missing(v):
                values[f'{path}.ignore_index (default)'] = v
    seg_metrics = []
    for key in ('val_evaluator', 'test_evaluator'):
        for path, metric in evaluator_metrics(cfg, key):
            v = resolved_param('METRICS', metric, 'ignore_index', scope)
            if not is_missing(v):
                values[f'{path}.ignore_index'] = v
            if metric_task(metric) == 'seg':
                seg_metrics.append(path)
    if not values:
        return
    for path, ds in loader_datasets(cfg):
        v = resolved_param('DATASETS', ds, 'ignore_index', scope)
        if not is_missing(v):
            values[f'{path}.ignore_index'] = v
    distinct = set(values.values())
    listing = ', '.join(f'{k}={v}' for k, v in values.items())
    if len(distinct) > 1:
        report.error('ignore_index', f'inconsistent ignore_index: {listing}: '
                     'pixels ignored by one part are counted by another')
    else:
        report.info('ignore_index', f'consistent ignore_index={distinct.pop()} '
                    f'({len(values)} places)')
