"""Inference of a GAIN-MTL defect classifier on new images."""
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Union

import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mtl_plugin.visualization.gain_panels import draw_gain_panels

from .config_inferencer import ConfigInferencer
from .model import build_model

InputType = Union[str, np.ndarray]
#: prediction field -> name in the results
MAP_FIELDS = (('pred_cam', 'cam'), ('pred_attention', 'attention'),
              ('pred_loc', 'loc'))


class DefectInferencer(ConfigInferencer):
    """Score images with a GAIN-MTL model (as mmpretrain's
    ``ImageClassificationInferencer`` does for classifiers).

    >>> inferencer = DefectInferencer('configs/gain/demo.py', 'epoch_20.pth')
    >>> out = inferencer(['a.png', 'b.png'])          # or a folder, or arrays
    >>> out['predictions'][0]['score'], out['predictions'][0]['label']

    The image goes through the config's test pipeline without its mask
    loading (:mod:`mtl_plugin.apis.inference_pipeline`), so the score is the
    one ``tools/test.py`` reports for the same file. Inputs: file paths, a
    folder (every image file in it), or ``(H, W, 3)`` BGR uint8 arrays (OpenCV's
    order; ``(H, W)`` grey arrays are converted).

    Each prediction is a dict: ``img_path`` (None for an array), ``score``
    (defect probability), ``label`` (1 defect / 0 normal: ``score >=
    score_thr``, the model's ``test_cfg.score_thr``), ``label_name``,
    ``score_thr``, ``pred_score`` (all class probabilities) and the maps the
    model outputs, each ``(H, W)`` float32 at the *original image size*
    (bilinear from the network input): ``cam`` (raw defect CAM), ``attention``
    (sigmoid attention) and ``loc`` (localization probability).
    ``return_datasamples=True`` returns the model's data samples instead.
    With ``show_dir`` (or ``return_vis=True``) the image | CAM | attention |
    localization panels of :func:`draw_gain_panels` are drawn at image size
    and written to ``show_dir/<stem>.png``.

    Args:
        model: config file or :class:`Config` of a ``GAINMTL`` model.
        weights: checkpoint; its weights must fit the model exactly.
        device: ``'cpu'``, ``'cuda:0'``, ... (None: what mmengine picks).
        cfg_options: ``--cfg-options`` style overrides, e.g.
            ``{'model.test_cfg.score_thr': 0.3}``.
        show_progress: progress bar over the batches.
    """

    visualize_kwargs: set = {'show_dir', 'return_vis'}

    def __init__(self, model: Union[str, Config], weights: Optional[str] = None,
                 device: Optional[str] = None,
                 cfg_options: Optional[Dict[str, Any]] = None,
                 show_progress: bool = True) -> None:
        super().__init__(model, weights, device, cfg_options, show_progress)
        classes = (self.cfg.get('test_dataloader', {}).get('dataset', {})
                   .get('metainfo', {}) or {}).get('classes')
        self.classes = tuple(classes) if classes else ('normal', 'defect')

    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu') -> torch.nn.Module:
        return build_model(cfg, weights, device)

    def _init_visualizer(self, cfg: Config) -> None:
        # panels are drawn by draw_gain_panels; no mmengine Visualizer needed
        return None

    def _inputs_to_list(self, inputs: Union[InputType, Sequence[InputType]]) -> list:
        out = []
        for item in super()._inputs_to_list(inputs):
            if isinstance(item, np.ndarray) and item.ndim == 2:
                item = mmcv.gray2bgr(item)
            if isinstance(item, np.ndarray) and (item.ndim != 3 or item.shape[2] != 3):
                raise ValueError('DefectInferencer: array inputs must be (H, W, 3) '
                                 f'BGR or (H, W) grey, got {item.shape}')
            out.append(item)
        return out

    @staticmethod
    def _original(input_: InputType) -> np.ndarray:
        """The input as an RGB uint8 image at its own size."""
        img = mmcv.imread(input_) if isinstance(input_, str) else input_
        return np.ascontiguousarray(img[..., ::-1])

    def postprocess(self, preds: List[Any], visualization: Optional[List[np.ndarray]],
                    return_datasample: bool = False, **kwargs) -> Dict[str, Any]:
        if return_datasample:
            return dict(predictions=preds, visualization=visualization)
        thr = float(self.model.test_cfg['score_thr'])
        defect = int(self.model.defect_class)
        results = []
        for sample in preds:
            score = sample.pred_score.float().cpu()
            label = int(sample.pred_label.view(-1)[0])
            result = dict(img_path=sample.metainfo.get('img_path'),
                          score=float(score[defect]), label=int(label == defect),
                          label_name=self.classes[label], score_thr=thr,
                          pred_score=score.tolist())
            result.update(self.maps_at_image_size(sample))
            results.append(result)
        return dict(predictions=results, visualization=visualization)

    @staticmethod
    def maps_at_image_size(sample: Any) -> Dict[str, np.ndarray]:
        """Maps of one data sample, resized bilinearly from the network input
        (``img_shape``) to ``ori_shape``: ``{name: (H, W) float32}``."""
        h, w = sample.metainfo['ori_shape'][:2]
        maps = {}
        for field, name in MAP_FIELDS:
            if field in sample:
                data = getattr(sample, field).data.float().cpu()[None]  # (1,1,h,w)
                if tuple(data.shape[-2:]) != (h, w):
                    data = F.interpolate(data, size=(h, w), mode='bilinear',
                                         align_corners=False)
                maps[name] = data[0, 0].numpy()
        return maps

    def visualize(self, inputs: list, preds: List[Any], show_dir: Optional[str] = None,
                  return_vis: bool = False, **kwargs) -> Optional[List[np.ndarray]]:
        if show_dir is None and not return_vis:
            return None
        if show_dir:
            os.makedirs(show_dir, exist_ok=True)
        panels = []
        defect = int(self.model.defect_class)
        for i, (input_, sample) in enumerate(zip(inputs, preds)):
            maps = self.maps_at_image_size(sample)
            label = int(sample.pred_label.view(-1)[0])
            caption = (f'{self.classes[label]} '
                       f'p={float(sample.pred_score[defect]):.2f}')
            panel = draw_gain_panels(self._original(input_), cam=maps.get('cam'),
                                     attention=maps.get('attention'),
                                     loc=maps.get('loc'), caption=caption)
            if show_dir:
                stem = (osp.splitext(osp.basename(input_))[0]
                        if isinstance(input_, str) else f'array_{i}')
                mmcv.imwrite(panel[..., ::-1], osp.join(show_dir, f'{stem}.png'))
            panels.append(panel)
        return panels
