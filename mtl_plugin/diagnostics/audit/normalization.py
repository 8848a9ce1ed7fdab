"""``audit``: static checks of a config, no data and no training needed.

Checks (each adds findings to a :class:`Report`):

* normalisation: ``data_preprocessor`` mean/std and channel flip vs the order
  the images arrive in (mmcv decodes BGR) and vs the backbone's pretraining
  convention when an ``init_cfg`` names a checkpoint;
* class count and class order: dataset metainfo vs every ``num_classes`` of the
  heads and metrics, train vs val vs test class lists;
* ``ignore_index`` of heads/losses, datasets and metrics (segmentation);
* train vs test pipeline: resize scale, keep_ratio, normalisation, random
  augmentations left in the test pipeline, ``reduce_zero_label``;
* optimizer: learning rate, weight decay, batch size, BatchNorm with batch 1,
  ``auto_scale_lr`` base batch, schedulers that never run.
"""
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from .config_inspect import (data_preprocessor, dataset_classes,
                             dataset_metainfo, default_scope, evaluator_metrics,
                             first_dataset, get_class, head_task,
                             heads_with_num_classes, is_missing, loader_datasets,
                             metric_task, param_default, pipeline_of,
                             resolved_param, to_plain, type_name, walk_dicts)
from .findings import Report

IMAGENET_MEAN_RGB = (123.675, 116.28, 103.53)
IMAGENET_STD_RGB = (58.395, 57.12, 57.375)
CAFFE_MEAN_BGR = (103.53, 116.28, 123.675)


def pretraining_convention(checkpoint: str) -> Optional[Dict]:
    """Input convention a pretrained checkpoint expects, from its name.

    Returns a dict ``order`` ('rgb' | 'bgr'), ``mean``/``std`` in that order
    (0-255 pixel units) and ``name``; None when the source is unknown (a local
    file): then nothing is assumed.
    """
    c = checkpoint.lower()
    if 'caffe' in c:  # detectron / detectron2 caffe-style ResNets
        return dict(name='caffe (detectron)', order='bgr', mean=CAFFE_MEAN_BGR,
                    std=(1.0, 1.0, 1.0))
    if 'regnet' in c:  # pycls RegNets, see mmdet configs/regnet
        return dict(name='pycls RegNet', order='bgr', mean=CAFFE_MEAN_BGR,
                    std=tuple(reversed(IMAGENET_STD_RGB)))
    known = ('torchvision://', 'open-mmlab://', 'mmcls://', 'openmmlab.com',
             'download.pytorch.org', 'mmpretrain', 'mmcls', 'imagenet',
             'in1k', 'in21k', 'timm')
    if any(k in c for k in known):
        return dict(name='ImageNet (torchvision / OpenMMLab)', order='rgb',
                    mean=IMAGENET_MEAN_RGB, std=IMAGENET_STD_RGB)
    return None


def _checkpoints(model: Dict) -> List[Tuple[str, str]]:
    """``(path, checkpoint)`` of Pretrained init_cfgs (backbone first) and of
    ``model.pretrained``."""
    found = []
    for path, d in walk_dicts(model, 'model'):
        init = d.get('init_cfg')
        inits = init if isinstance(init, (list, tuple)) else [init]
        for i in inits:
            if isinstance(i, dict) and isinstance(i.get('checkpoint'), str):
                found.append((f'{path}.init_cfg.checkpoint', i['checkpoint']))
    if isinstance(model.get('pretrained'), str):
        found.append(('model.pretrained', model['pretrained']))
    found.sort(key=lambda pc: 'backbone' not in pc[0])
    return found


def _order_of_mean(mean: Sequence[float]) -> Optional[str]:
    """'rgb' when mean is ordered like ImageNet R>G>B, 'bgr' for the reverse."""
    if abs(mean[0] - mean[2]) < 1e-3 * max(1.0, abs(mean[0])):
        return None
    return 'rgb' if mean[0] > mean[2] else 'bgr'


def _pipeline_loads_rgb(pipeline: List[Dict]) -> bool:
    return any(t.get('channel_order') == 'rgb' or t.get('to_rgb') is True
               for t in pipeline if type_name(t) != 'Normalize')


def check_normalization(cfg: Config, report: Report) -> None:
    path, pre = data_preprocessor(cfg)
    if pre is None:
        report.info('normalization', 'no data_preprocessor in the model: '
                    'inputs reach the backbone as the pipeline leaves them')
        return
    mean, std = pre.get('mean'), pre.get('std')
    flip = bool(pre.get('bgr_to_rgb') or pre.get('rgb_to_bgr') or pre.get('to_rgb'))
    flag = next((k for k in ('bgr_to_rgb', 'rgb_to_bgr', 'to_rgb') if k in pre),
                'bgr_to_rgb')
    loaded = 'rgb' if _pipeline_loads_rgb(
        pipeline_of(first_dataset(cfg, 'train_dataloader'))) else 'bgr'
    net = {'rgb': 'bgr', 'bgr': 'rgb'}[loaded] if flip else loaded
    checkpoints = _checkpoints(cfg.get('model') or {})
    severity_scale = 'error' if checkpoints else 'warning'
    if mean is None or std is None:
        report.info('normalization', f'{path} sets no mean/std: the network sees '
                    f'raw 0-255 {net.upper()} pixels')
    else:
        mean, std = [float(m) for m in mean], [float(s) for s in std]
        report.info('normalization', f'{path}: mean={mean} std={std} '
                    f'{flag}={flip}; images decoded as {loaded.upper()}, network '
                    f'input is {net.upper()}')
        if len(mean) == 3:
            order = _order_of_mean(mean)
            if order is not None and order != net:
                report.error(
                    'channel order',
                    f'{path}.mean={mean} is in {order.upper()} order (ImageNet '
                    f'R,G,B = {list(IMAGENET_MEAN_RGB)}) but the network receives '
                    f'{net.upper()} images ({flag}={flip}, images decoded as '
                    f'{loaded.upper()}): set {flag}={not flip} or reverse mean/std')
        if max(mean) <= 1.0 and max(std) <= 1.0 and max(mean) > 0:
            getattr(report, severity_scale)(
                'normalization scale',
                f'{path}: mean={mean} std={std} are [0, 1]-scale values, but the '
                'preprocessor receives 0-255 pixels: multiply them by 255')
    if not checkpoints:
        report.info('pretraining', 'no init_cfg checkpoint: the backbone trains '
                    'from scratch, any consistent normalisation works')
        return
    ckpt_path, ckpt = checkpoints[0]
    conv = pretraining_convention(ckpt)
    if conv is None:
        report.info('pretraining', f'{ckpt_path}={ckpt!r}: unknown pretraining '
                    'convention, normalisation not compared')
        return
    if conv['order'] != net:
        report.error(
            'channel order',
            f'backbone pretrained with {conv["name"]} weights ({ckpt_path}='
            f'{ckpt!r}) expects {conv["order"].upper()} input but receives '
            f'{net.upper()} ({flag}={flip})')
    if mean is not None and std is not None and len(mean) == 3:
        want_mean = conv['mean'] if conv['order'] == net else conv['mean'][::-1]
        want_std = conv['std'] if conv['order'] == net else conv['std'][::-1]
        off = max(abs(a - b) for a, b in zip(list(mean) + list(std),
                                             list(want_mean) + list(want_std)))
        if off > 1.0:
            report.warning(
                'normalization',
                f'{path}: mean={mean} std={std} differ from the {conv["name"]} '
                f'pretraining statistics mean={list(want_mean)} '
                f'std={list(want_std)} of {ckpt!r}')
            return
    report.info('pretraining', f'{ckpt_path}={ckpt!r}: {conv["name"]} '
                f'convention ({conv["order"].upper()}), matched by the '
                'data_preprocessor')


def _candidate_counts(meta: Dict) -> Dict[str, int]:
    """Lengths of every ``*classes`` list in a dataset's metainfo."""
    return {k: len(v) for k, v in meta.items()
            if k.endswith('classes') and isinstance(v, (list, tuple))}


def check_classes(cfg: Config, report: Report) -> None:
    scope = default_scope(cfg)
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


def check_ignore_index(cfg: Config, report: Report) -> None:
    scope = default_scope(cfg)
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


_RESIZE = ('Resize', 'RandomResize', 'RandomChoiceResize', 'ResizeEdge',
           'RandomResizedCrop', 'ResizeShortestEdge', 'FixShapeResize')
_CROP = ('CenterCrop', 'RandomResizedCrop', 'RandomCrop')
# Deterministic transforms whose name says "Random" only because they can be
# configured randomly.
_TEST_OK = ('RandomResize', )


def _find(pipeline: List[Dict], names: Sequence[str]) -> Optional[Dict]:
    return next((t for t in pipeline if type_name(t) in names), None)


def _scale(t: Dict):
    for key in ('scale', 'img_scale', 'crop_size', 'size'):
        if key in t:
            v = to_plain(t[key])
            return tuple(v) if isinstance(v, (list, tuple)) else v
    return None


def check_pipelines(cfg: Config, report: Report) -> None:
    train_ds = first_dataset(cfg, 'train_dataloader')
    test_ds = (first_dataset(cfg, 'test_dataloader')
               or first_dataset(cfg, 'val_dataloader'))
    train, test = pipeline_of(train_ds), pipeline_of(test_ds)
    if not train or not test:
        report.info('pipeline', 'train or test pipeline missing: alignment not '
                    'checked')
        return
    r_tr, r_te = _find(train, _RESIZE), _find(test, _RESIZE)
    if r_tr and not r_te:
        report.warning('pipeline', f'train pipeline resizes ({type_name(r_tr)} '
                       f'{_scale(r_tr)}) but the test pipeline does not')
    elif r_tr and r_te:
        s_tr, s_te = _scale(r_tr), _scale(r_te)
        k_tr, k_te = r_tr.get('keep_ratio'), r_te.get('keep_ratio')
        if type_name(r_tr) == type_name(r_te) == 'Resize' and s_tr != s_te:
            report.warning('pipeline', f'train Resize scale={s_tr} but test '
                           f'Resize scale={s_te}: objects appear at another size '
                           'at test time')
        elif type_name(r_tr) == 'RandomResize' and s_tr != s_te:
            report.info('pipeline', f'train RandomResize base scale={s_tr} '
                        f'(ratio_range={r_tr.get("ratio_range")}), test scale={s_te}')
        if k_tr is not None and k_te is not None and k_tr != k_te:
            report.warning('pipeline', f'keep_ratio differs: train {k_tr}, test '
                           f'{k_te}: aspect ratios differ between train and test')
    c_tr, c_te = _find(train, _CROP), _find(test, ('CenterCrop', ))
    if c_tr and c_te and type_name(c_tr) == 'RandomResizedCrop':
        if _scale(c_tr) != _scale(c_te):
            report.warning('pipeline', f'train crop {_scale(c_tr)} vs test '
                           f'CenterCrop {_scale(c_te)}: different input sizes')
    n_tr, n_te = _find(train, ('Normalize', )), _find(test, ('Normalize', ))
    if bool(n_tr) != bool(n_te):
        report.error('pipeline', 'Normalize is in only one of the train / test '
                     'pipelines: train and test inputs have different ranges')
    elif n_tr and n_te:
        keys = ('mean', 'std', 'to_rgb')
        if any(to_plain(n_tr.get(k)) != to_plain(n_te.get(k)) for k in keys):
            report.error('pipeline', f'Normalize differs: train '
                         f'{ {k: n_tr.get(k) for k in keys} } vs test '
                         f'{ {k: n_te.get(k) for k in keys} }')
    _, pre = data_preprocessor(cfg)
    if (n_tr or n_te) and pre and pre.get('mean') is not None:
        report.error('normalization', 'images are normalised twice: by a '
                     'Normalize transform in the pipeline and by the '
                     'data_preprocessor mean/std')
    for t in test:
        name = type_name(t)
        if (name.startswith('Random') and name not in _TEST_OK
                and t.get('prob', 1.0) not in (0, 0.0, None)) or \
                name == 'PhotoMetricDistortion':
            report.warning('pipeline', f'test pipeline contains the random '
                           f'augmentation {name}: evaluation is not deterministic')
    la_tr, la_te = _find(train, ('LoadAnnotations', )), _find(
        test, ('LoadAnnotations', ))
    if la_tr and la_te and la_tr.get('reduce_zero_label') != la_te.get(
            'reduce_zero_label'):
        report.error('pipeline', f'LoadAnnotations.reduce_zero_label differs: '
                     f'train {la_tr.get("reduce_zero_label")}, test '
                     f'{la_te.get("reduce_zero_label")}')


def _norm_types(model: Dict) -> List[str]:
    return [str(d.get('type')) for p, d in walk_dicts(model, 'model')
            if p.endswith('norm_cfg') and 'type' in d]


def check_optimization(cfg: Config, report: Report) -> None:
    optim_wrapper = cfg.get('optim_wrapper') or {}
    optim = optim_wrapper.get('optimizer') or {}
    loader = cfg.get('train_dataloader') or {}
    bs = loader.get('batch_size')
    opt_type = type_name(optim) if optim else ''
    lr = optim.get('lr')
    wd = optim.get('weight_decay', 0) or 0
    if optim:
        adam = opt_type.lower().startswith(('adam', 'lamb', 'lion'))
        if lr is None:
            report.error('lr', f'optim_wrapper.optimizer ({opt_type}) sets no lr')
        elif lr <= 0:
            report.error('lr', f'optim_wrapper.optimizer.lr={lr}: must be > 0')
        elif adam and lr > 1e-2:
            report.warning('lr', f'{opt_type} lr={lr} is large for an adaptive '
                           'optimizer (usual range 1e-5 .. 1e-3)')
        elif not adam and opt_type == 'SGD' and lr > 0.5:
            report.warning('lr', f'SGD lr={lr} is large (mmdet/mmseg use 0.01-0.02 '
                           'for batch 16)')
        elif lr < 1e-6:
            report.warning('lr', f'{opt_type} lr={lr} is so small that training '
                           'barely moves the weights')
        if wd < 0:
            report.error('weight_decay', f'weight_decay={wd} < 0')
        elif opt_type == 'SGD' and wd > 1e-2:
            report.warning('weight_decay', f'SGD weight_decay={wd} is large '
                           '(usual 1e-4 .. 5e-4)')
        elif opt_type == 'AdamW' and wd > 0.5:
            report.warning('weight_decay', f'AdamW weight_decay={wd} is large '
                           '(usual 0.01 .. 0.1)')
        elif opt_type == 'Adam' and wd > 0:
            report.info('weight_decay', f'Adam with weight_decay={wd} applies L2 '
                        'through the adaptive step; AdamW decouples it')
        report.info('optimizer', f'{opt_type} lr={lr} weight_decay={wd}, '
                    f'batch_size={bs} per GPU')
    if bs is not None and bs < 1:
        report.error('batch size', f'train_dataloader.batch_size={bs}')
    elif bs == 1 and any('BN' in t and 'GN' not in t
                         for t in _norm_types(cfg.get('model') or {})):
        report.warning('batch size', 'train_dataloader.batch_size=1 with '
                       'BatchNorm layers: batch statistics of one image are noisy')
    scale = cfg.get('auto_scale_lr')
    if scale is None:
        report.info('auto_scale_lr', 'not set: the lr is used as written for any '
                    'number of GPUs')
    elif bs:
        base = scale.get('base_batch_size')
        enabled = scale.get('enable', False)
        if not base:
            report.error('auto_scale_lr', 'auto_scale_lr has no base_batch_size')
        else:
            report.info('auto_scale_lr', f'base_batch_size={base}, enable={enabled}'
                        f': on 1 GPU x {bs} the lr {"becomes" if enabled else "would be"}'
                        f' {lr} x {bs}/{base} = {lr * bs / base if lr else "?"}'
                        f' ({base // bs if base % bs == 0 else "no whole number of"}'
                        ' GPUs reproduce the base batch)')
            if base % bs:
                report.warning('auto_scale_lr', f'base_batch_size={base} is not a '
                               f'multiple of the per-GPU batch {bs}')
    train_cfg = cfg.get('train_cfg') or {}
    max_len = train_cfg.get('max_iters') or train_cfg.get('max_epochs')
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for i, s in enumerate(schedulers):
        if max_len and isinstance(s.get('begin'), int) and s['begin'] >= max_len:
            report.warning('param_scheduler', f'param_scheduler.{i} '
                           f'({type_name(s)}) begins at {s["begin"]} >= training '
                           f'length {max_len}: it never runs')
    if cfg.get('val_dataloader') and cfg.get('val_cfg') and not cfg.get(
            'val_evaluator'):
        report.error('evaluator', 'val_dataloader and val_cfg are set but '
                     'val_evaluator is missing')


def audit(cfg: Config) -> Report:
    """Run every static check on ``cfg`` and return the report."""
    report = Report('audit')
    for check in (check_normalization, check_classes, check_ignore_index,
                  check_pipelines, check_optimization):
        check(cfg, report)
    return report
