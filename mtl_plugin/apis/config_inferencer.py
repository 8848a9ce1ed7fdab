"""The PyTorch inferencers' common part: mmengine's ``BaseInferencer`` set up
from a config path or object (with the ``--cfg-options`` key check), the
registry scope it names and the test pipeline without ground-truth loading,
run by the shared batch loop."""
from typing import Any, Dict, List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmengine.config import Config
from mmengine.infer import BaseInferencer

from .batch_inference import BatchInference
from .config import config_scope, load_config
from .image_inputs import MASK_PATTERNS
from .inference_pipeline import build_inference_pipeline


class ConfigInferencer(BatchInference, BaseInferencer):
    """``BaseInferencer`` built from a config path or ``Config``, called
    through :meth:`BatchInference.run`.

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

    def __call__(self, inputs: Any, batch_size: int = 1,
                 out_dir: Optional[str] = None, on_error: str = 'skip',
                 exclude: Sequence[str] = MASK_PATTERNS, save_maps: bool = False,
                 no_save_vis: bool = False, return_vis: bool = False,
                 return_datasamples: bool = False, **kwargs) -> Dict:
        """Infer on ``inputs`` (see :meth:`BatchInference.run` for every
        argument); other keyword arguments go to :meth:`visualize` /
        :meth:`postprocess` by the class's ``*_kwargs`` sets, as in
        mmengine."""
        _, self._forward_kwargs, self._visualize_kwargs, self._postprocess_kwargs = \
            self._dispatch_kwargs(**kwargs)
        return self.run(inputs, batch_size, out_dir, on_error, exclude, save_maps,
                        no_save_vis, return_vis, return_datasamples)

    # ------------------------------------------------------- BatchInference
    def _load(self, item: Any) -> Any:
        if isinstance(item, np.ndarray) and item.ndim == 2:
            item = mmcv.gray2bgr(item)
        return self.pipeline(item)

    def _predict(self, data: List[Any]) -> List[Any]:
        return self.forward(self.collate_fn(data), **self._forward_kwargs)

    def _results(self, items: List[Any], preds: List[Any], draw: bool):
        vis = (self.visualize(items, preds, **self._visualize_kwargs) if draw
               else [None] * len(preds))
        return self.postprocess(preds, vis, **self._postprocess_kwargs), vis

    @staticmethod
    def original_rgb(item: Any) -> np.ndarray:
        """The input as an ``(H, W, 3)`` RGB uint8 image at its own size."""
        img = mmcv.imread(item) if isinstance(item, str) else item
        if img.ndim == 2:
            img = mmcv.gray2bgr(img)
        return np.ascontiguousarray(img[..., ::-1])
