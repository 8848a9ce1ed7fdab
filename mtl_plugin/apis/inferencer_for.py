"""Which inferencer serves a config's model."""
from typing import Type

from mmengine.config import Config
from mmengine.registry import MODELS

from mtl_plugin.models.classifiers.gain_mtl import GAINMTL

from .config import config_scope
from .config_inferencer import ConfigInferencer
from .defect_inferencer import DefectInferencer
from .multitask_inferencer import MultiTaskInferencer


def inferencer_for(cfg: Config) -> Type[ConfigInferencer]:
    """The inferencer class of ``cfg.model``, chosen by the registered class
    its ``type`` names (in the config's scope): :class:`DefectInferencer`
    for ``GAINMTL`` and its subclasses, :class:`MultiTaskInferencer` for the
    detectors (the multi-task detector-segmentor, the retail RetinaNet).

    Raises:
        KeyError: ``cfg.model.type`` is not a registered model.
    """
    model_type = cfg.model['type']
    with MODELS.switch_scope_and_registry(config_scope(cfg)) as registry:
        cls = registry.get(model_type) if isinstance(model_type, str) else model_type
    if cls is None:
        raise KeyError(f'model type {model_type!r} is not registered in scope '
                       f'{config_scope(cfg)!r}')
    return DefectInferencer if issubclass(cls, GAINMTL) else MultiTaskInferencer
