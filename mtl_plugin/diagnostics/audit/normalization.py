"""Audit of input normalisation: ``data_preprocessor`` mean/std and channel
flip vs the order the images arrive in (mmcv decodes BGR) and vs the
backbone's pretraining convention when an ``init_cfg`` names a checkpoint;
[0, 1]-scale statistics on 0-255 pixels."""
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from ..config_inspect import data_preprocessor, first_dataset, pipeline_of, type_name, walk_dicts
from ..findings import Report

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
