"""Inference of a GAIN-MTL defect classifier on new images (PyTorch)."""
from typing import Any, Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.config import Config

from .config_inferencer import ConfigInferencer
from .dataset_meta import dataset_meta
from .defect_outputs import MAP_NAMES, DefectOutputs
from .model import build_model


class DefectInferencer(DefectOutputs, ConfigInferencer):
    """Score images with a GAIN-MTL model (as mmpretrain's
    ``ImageClassificationInferencer`` does for classifiers), and write what it
    finds (as mmdet's ``DetInferencer`` does).

    >>> inferencer = DefectInferencer('configs/gain/demo.py', 'epoch_20.pth')
    >>> out = inferencer('data/gain_demo/test', out_dir='outputs')
    >>> out['predictions'][0]['score'], out['predictions'][0]['label']
    >>> out['skipped']          # unreadable files, each with the reason

    The image goes through the config's test pipeline without its mask
    loading (:mod:`mtl_plugin.apis.inference_pipeline`), so the score is the
    one ``tools/test.py`` reports for the same file. Inputs: file paths, a
    folder (its image files, mask files left out: ``exclude``), or ``(H, W,
    3)`` BGR uint8 arrays (OpenCV's order; ``(H, W)`` grey arrays are
    converted). Results: see :class:`DefectOutputs` (the label at the model's
    ``test_cfg.score_thr``); call options, the files written under
    ``out_dir`` and the skip policy: :meth:`BatchInference.run`.

    Args:
        model: config file or :class:`Config` of a ``GAINMTL`` model.
        weights: checkpoint; its weights must fit the model exactly.
        device: ``'cpu'``, ``'cuda:0'``, ... (None: what mmengine picks).
        cfg_options: ``--cfg-options`` style overrides, e.g.
            ``{'model.test_cfg.score_thr': 0.3}``.
        show_progress: progress bar over the batches.
    """

    def __init__(self, model: Union[str, Config], weights: Optional[str] = None,
                 device: Optional[str] = None,
                 cfg_options: Optional[Dict[str, Any]] = None,
                 show_progress: bool = True) -> None:
        super().__init__(model, weights, device, cfg_options, show_progress)
        self.classes = tuple(dataset_meta(self.cfg).get('classes')
                             or ('normal', 'defect'))

    @property
    def defect_class(self) -> int:
        return int(self.model.defect_class)

    @property
    def score_thr(self) -> float:
        return float(self.model.test_cfg['score_thr'])

    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu') -> torch.nn.Module:
        return build_model(cfg, weights, device)

    def _init_visualizer(self, cfg: Config) -> None:
        # panels are drawn by draw_gain_panels; no mmengine Visualizer needed
        return None

    def _results(self, items: List[Any], preds: List[Any], draw: bool):
        scores = np.stack([s.pred_score.float().cpu().numpy() for s in preds])
        labels = [int(s.pred_label.view(-1)[0]) for s in preds]
        maps = [{name: getattr(s, f'pred_{name}').data[0].float().cpu().numpy()
                 for name in MAP_NAMES if f'pred_{name}' in s} for s in preds]
        sizes = [tuple(s.metainfo['ori_shape'][:2]) for s in preds]
        images = [self.original_rgb(item) for item in items] if draw else None
        return self.defect_results(items, scores, labels, maps, sizes, images)

    # mmengine's BaseInferencer declares these two; the batch loop calls
    # _results, which gives both at once.
    def visualize(self, inputs: list, preds: List[Any], **kwargs):
        return self._results(inputs, preds, draw=True)[1]

    def postprocess(self, preds: List[Any], visualization=None, **kwargs):
        return self._results([s.metainfo.get('img_path') for s in preds], preds,
                             draw=False)[0]
