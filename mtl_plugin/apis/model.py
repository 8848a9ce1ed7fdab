"""Build the model of a config, optionally with checked checkpoint weights."""
import copy
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner.checkpoint import load_state_dict

from mtl_plugin.utils.config_checks import check_checkpoint_matches

from .config import config_scope, load_config


def build_model(cfg: Union[str, Config], checkpoint: Optional[str] = None,
                device: str = 'cpu') -> torch.nn.Module:
    """Build ``cfg.model`` in the config's scope and return it in eval mode.

    Without a checkpoint the model is initialised by ``init_weights`` (as a
    training run starts; ``init_cfg`` pretrained weights are loaded). With
    one, its weights must fit the model exactly: missing, unexpected and
    mis-shaped keys raise :class:`~mtl_plugin.utils.config_checks.ConfigError`
    listing them (mmengine's ``load_checkpoint`` would only warn), and then
    every weight comes from the checkpoint, so ``init_weights`` is skipped
    (it would only fetch pretrained weights to overwrite them). SyncBN layers
    become BatchNorm: the model runs in one process.

    Args:
        cfg: a config or the path of a config file.
        checkpoint: checkpoint file whose ``state_dict`` is loaded.
        device: where the model is placed (``'cpu'``, ``'cuda:0'``).
    """
    if isinstance(cfg, str):
        cfg = load_config(cfg)
    init_default_scope(config_scope(cfg))
    model = revert_sync_batchnorm(MODELS.build(copy.deepcopy(cfg.model)))
    if checkpoint is not None:
        state = check_checkpoint_matches(model, checkpoint)
        load_state_dict(model, state, strict=True)
    elif hasattr(model, 'init_weights'):
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # init_weights logs every parameter
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    return model.to(device).eval()
