"""The test pipeline of a config, turned into an inference pipeline.

At inference there is no ground truth: the transforms that load it
(:class:`~mtl_plugin.datasets.transforms.LoadDefectMask`, mmdet's / mmseg's
``LoadAnnotations``) are dropped, as are the packing meta keys that only carry
annotations (``instances``), and the image loader becomes mmdet's
``InferencerLoader``, which takes a file path (read exactly as the
configured ``LoadImageFromFile`` reads it) or an ``(H, W, 3)`` BGR uint8
array. Everything else (resize, packing) is the test pipeline itself, so an
image gives the same network input as in ``tools/test.py``.
"""
import copy
from typing import Callable, List

from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mtl_plugin.utils.config_checks import ConfigError

from .config import config_scope

#: Transforms that load ground truth (type names with or without a scope).
GT_LOADERS = ('LoadDefectMask', 'LoadAnnotations')
#: Meta keys that carry annotations, not image information.
GT_META_KEYS = ('instances', 'seg_map_path', 'img_id')


def _name(transform: dict) -> str:
    kind = transform.get('type', '')
    return kind.split('.')[-1] if isinstance(kind, str) else kind.__name__


def inference_pipeline_cfg(cfg: Config) -> List[dict]:
    """``cfg.test_dataloader.dataset.pipeline`` without ground-truth loading.

    Raises:
        ConfigError: the config has no test pipeline, or it does not start
            by loading an image from file.
    """
    try:
        pipeline = copy.deepcopy(list(cfg.test_dataloader.dataset.pipeline))
    except AttributeError as exc:
        raise ConfigError('inference needs test_dataloader.dataset.pipeline '
                          'in the config') from exc
    pipeline = [t for t in pipeline if _name(t) not in GT_LOADERS]
    if not pipeline or _name(pipeline[0]) != 'LoadImageFromFile':
        raise ConfigError('the test pipeline must start with LoadImageFromFile '
                          f'(found {[_name(t) for t in pipeline][:1]})')
    pipeline[0]['type'] = 'mmdet.InferencerLoader'
    pack = pipeline[-1]
    if 'meta_keys' in pack:
        pack['meta_keys'] = tuple(k for k in pack['meta_keys']
                                  if k not in GT_META_KEYS)
    return pipeline


def build_inference_pipeline(cfg: Config) -> Callable:
    """Compose of :func:`inference_pipeline_cfg` built in the config's scope;
    it maps a path or an array to ``dict(inputs, data_samples)``."""
    init_default_scope(config_scope(cfg))
    return Compose(inference_pipeline_cfg(cfg))
