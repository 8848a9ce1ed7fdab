"""The part of mmengine's ``BaseInferencer`` set-up the plugin's inferencers
share: a config path or object (with the ``--cfg-options`` key check), the
registry scope it names, and the test pipeline without ground-truth loading."""
import os.path as osp
from typing import Any, Dict, Optional, Union

from mmengine.config import Config
from mmengine.infer import BaseInferencer

from .config import config_scope, load_config
from .image_inputs import check_files, list_images
from .inference_pipeline import build_inference_pipeline


class ConfigInferencer(BaseInferencer):
    """``BaseInferencer`` built from a config path or ``Config``.

    Args:
        model: config file or loaded config.
        weights: checkpoint file (``None``: the model's own initialisation).
        device: ``'cpu'``, ``'cuda:0'``...; ``None`` picks as mmengine does.
        cfg_options: overrides merged into a config file, checked key by key.
        show_progress: show a progress bar while inferring.
    """

    def __init__(self, model: Union[str, Config], weights: Optional[str] = None,
                 device: Optional[str] = None,
                 cfg_options: Optional[Dict[str, Any]] = None,
                 show_progress: bool = True) -> None:
        cfg = load_config(model, cfg_options) if isinstance(model, str) else model
        super().__init__(model=cfg, weights=weights, device=device,
                         scope=config_scope(cfg), show_progress=show_progress)

    def _init_pipeline(self, cfg: Config):
        return build_inference_pipeline(cfg)

    def _inputs_to_list(self, inputs) -> list:
        """A folder: its image files (sorted, every one: ``tools/infer.py
        --exclude`` filters mask files out); a path, array or list of them:
        as given, each path checked to be a file."""
        if isinstance(inputs, str) and osp.isdir(inputs):
            return list_images(inputs)[0]
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        check_files(items, type(self).__name__)
        return items
