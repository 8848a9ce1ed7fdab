"""Audit of train vs test pipelines: resize scale and keep_ratio, crops,
normalisation in one pipeline only or twice, random augmentation left in the
test pipeline, ``reduce_zero_label``."""
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from ..config_inspect import data_preprocessor, first_dataset, pipeline_of, to_plain, type_name
from ..findings import Report

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
