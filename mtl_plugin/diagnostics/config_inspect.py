"""Read-only helpers that find things inside an mmengine config.

The checks need the same questions answered for any config (ours, mmdet's,
mmseg's, mmpretrain's): where the data preprocessor is, which heads declare
``num_classes``, which datasets and metrics a loader/evaluator uses, and what
default a registered class gives a parameter the config leaves out.
"""
import inspect
from typing import Any, Dict, Iterator, List, Optional, Tuple

from mmengine.config import Config, ConfigDict

from mtl_plugin.apis import config_scope
from mtl_plugin.utils.config_checks import leaf_dataset_cfgs

_MISSING = object()


def to_plain(obj: Any) -> Any:
    """ConfigDict -> plain dict, recursively (lists and tuples keep their type:
    transforms such as mmcv's Resize accept only tuples for sizes)."""
    if isinstance(obj, (dict, ConfigDict)):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(to_plain(v) for v in obj)
    if isinstance(obj, list):
        return [to_plain(v) for v in obj]
    return obj


def walk_dicts(obj: Any, path: str = '') -> Iterator[Tuple[str, Dict]]:
    """Yield ``(dotted_path, dict)`` for every dict nested in ``obj``."""
    if isinstance(obj, dict):
        yield path, obj
        for key, value in obj.items():
            yield from walk_dicts(value, f'{path}.{key}' if path else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from walk_dicts(value, f'{path}.{i}' if path else str(i))


def type_name(cfg: Dict) -> str:
    """``cfg['type']`` without the scope prefix (``'mmseg.IoUMetric'`` -> ``'IoUMetric'``)."""
    t = cfg.get('type', '')
    if not isinstance(t, str):
        t = getattr(t, '__name__', str(t))
    return t.split('.')[-1]


def loader_datasets(cfg: Config) -> List[Tuple[str, Dict]]:
    """``(path, dataset cfg)`` of the train/val/test loaders' leaf datasets."""
    out = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = (cfg.get(loader) or {}).get('dataset')
        out += leaf_dataset_cfgs(ds, f'{loader}.dataset')
    return out


def evaluator_metrics(cfg: Config, key: str) -> List[Tuple[str, Dict]]:
    """``(path, metric cfg)`` of an evaluator key (a dict, a list, or an
    ``Evaluator`` dict with ``metrics``)."""
    ev = cfg.get(key)
    if ev is None:
        return []
    if isinstance(ev, dict) and 'metrics' in ev:
        ev = ev['metrics']
    if isinstance(ev, dict):
        return [(key, ev)]
    return [(f'{key}.{i}', m) for i, m in enumerate(ev) if isinstance(m, dict)]


def get_class(registry_name: str, type_str: Any, scope: str) -> Optional[type]:
    """Resolve a ``type`` of a config in mmengine's registry tree.

    Args:
        registry_name: ``'MODELS'``, ``'DATASETS'``, ``'METRICS'``, ``'TRANSFORMS'``.
        type_str: the config's ``type`` (a string, possibly scope-prefixed, or a class).
        scope: the config's ``default_scope``.

    Returns:
        The class, or None when it is not registered.
    """
    if inspect.isclass(type_str):
        return type_str
    import mmengine.registry as reg
    root = getattr(reg, registry_name)
    try:
        with root.switch_scope_and_registry(scope) as registry:
            return registry.get(type_str)
    except Exception:  # noqa: BLE001 - an unknown type is reported as None
        return None


def param_default(cls: Optional[type], name: str) -> Any:
    """Default of ``__init__`` parameter ``name`` along the class's MRO.

    Returns ``_MISSING`` (see :func:`is_missing`) when no class in the MRO
    declares the parameter with a default.
    """
    if cls is None:
        return _MISSING
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        if name in params and params[name].default is not inspect.Parameter.empty:
            return params[name].default
    return _MISSING


def is_missing(value: Any) -> bool:
    return value is _MISSING


def resolved_param(registry_name: str, cfg: Dict, name: str, scope: str) -> Any:
    """``cfg[name]`` when set, else the registered class's default (or missing)."""
    if name in cfg:
        return cfg[name]
    return param_default(get_class(registry_name, cfg.get('type'), scope), name)


def data_preprocessor(cfg: Config) -> Tuple[str, Optional[Dict]]:
    """The model's data preprocessor config (mmseg configs also keep a top-level copy)."""
    model = cfg.get('model') or {}
    if isinstance(model.get('data_preprocessor'), dict):
        return 'model.data_preprocessor', model['data_preprocessor']
    if isinstance(cfg.get('data_preprocessor'), dict):
        return 'data_preprocessor', cfg['data_preprocessor']
    return '', None


def dataset_classes(ds_cfg: Dict, scope: str) -> Optional[Tuple[str, ...]]:
    """Class names of a dataset: ``metainfo.classes`` or the class's METAINFO."""
    meta = ds_cfg.get('metainfo') or {}
    if meta.get('classes') is not None:
        return tuple(meta['classes'])
    cls = get_class('DATASETS', ds_cfg.get('type'), scope)
    classes = (getattr(cls, 'METAINFO', None) or {}).get('classes')
    return tuple(classes) if classes is not None else None


def dataset_metainfo(ds_cfg: Dict, scope: str) -> Dict:
    """Class METAINFO updated with the config's ``metainfo``."""
    cls = get_class('DATASETS', ds_cfg.get('type'), scope)
    meta = dict(getattr(cls, 'METAINFO', None) or {})
    meta.update(to_plain(ds_cfg.get('metainfo') or {}))
    return meta


def heads_with_num_classes(model: Dict) -> List[Tuple[str, Dict]]:
    """``(path, cfg)`` of every sub-config of the model that sets ``num_classes``."""
    return [(p, d) for p, d in walk_dicts(model, 'model')
            if 'num_classes' in d and 'type' in d]


_SEG_WORDS = ('seg', 'decode', 'auxiliary', 'encoderdecoder', 'loc')
_DET_WORDS = ('bbox', 'rpn', 'roi', 'det', 'fcos', 'retina', 'anchor', 'yolo',
              'rtmdet', 'atss', 'centernet')
_CLS_WORDS = ('cls', 'classif', 'linear', 'gain')


def head_task(path: str, cfg: Dict) -> str:
    """``'seg'``, ``'det'``, ``'cls'`` or ``'?'`` from a head's path and type."""
    text = f'{path}.{type_name(cfg)}'.lower()
    for task, words in (('det', _DET_WORDS), ('seg', _SEG_WORDS),
                        ('cls', _CLS_WORDS)):
        if any(w in text for w in words):
            return task
    return '?'


_METRIC_TASK = {
    'IoUMetric': 'seg', 'CityscapesMetric': 'seg', 'DepthMetric': 'seg',
    'CocoMetric': 'det', 'VOCMetric': 'det', 'LVISMetric': 'det',
    'Accuracy': 'cls', 'SingleLabelMetric': 'cls', 'MultiLabelMetric': 'cls',
    'AveragePrecision': 'cls',
}


def metric_task(cfg: Dict) -> str:
    """Task a metric evaluates (``'seg'``, ``'det'``, ``'cls'`` or ``'?'``)."""
    name = type_name(cfg)
    if name in _METRIC_TASK:
        return _METRIC_TASK[name]
    low = name.lower()
    if 'iou' in low and 'cam' not in low:
        return 'seg'
    if 'coco' in low or 'map' in low or 'recall' in low or low.startswith('ar'):
        return 'det'
    if 'acc' in low or 'cls' in low or 'classif' in low:
        return 'cls'
    return '?'


def model_tasks(cfg: Config) -> Dict[str, int]:
    """Tasks of a config and their class counts, e.g. ``{'seg': 2, 'cls': 2}``.

    From heads that declare ``num_classes``; a task seen only in the evaluator
    takes the dataset's class count.
    """
    tasks: Dict[str, int] = {}
    for path, head in heads_with_num_classes(cfg.get('model') or {}):
        task = head_task(path, head)
        if task != '?' and task not in tasks and isinstance(head['num_classes'], int):
            tasks[task] = head['num_classes']
    scope = config_scope(cfg)
    classes = None
    for _, ds in loader_datasets(cfg):
        classes = dataset_classes(ds, scope)
        if classes:
            break
    for key in ('val_evaluator', 'test_evaluator'):
        for _, metric in evaluator_metrics(cfg, key):
            task = metric_task(metric)
            if task != '?' and task not in tasks and classes:
                tasks[task] = len(classes)
    return tasks


def pipeline_of(ds_cfg: Optional[Dict]) -> List[Dict]:
    return list((ds_cfg or {}).get('pipeline') or [])


def first_dataset(cfg: Config, loader: str) -> Optional[Dict]:
    ds = leaf_dataset_cfgs((cfg.get(loader) or {}).get('dataset'), loader)
    return ds[0][1] if ds else None
