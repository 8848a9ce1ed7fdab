"""Inference of the detection workloads (multi-task detector-segmentor, dense
retail detector) on new images."""
import os
import os.path as osp
from typing import Any, Dict, List, Optional

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS, VISUALIZERS

from .config_inferencer import ConfigInferencer
from .model import build_model

DETECTION_VISUALIZERS = ('DetLocalVisualizer', 'MultiTaskLocalVisualizer')


def dataset_meta(cfg: Config) -> Dict[str, Any]:
    """Class names of the test dataset: the dataset class's ``METAINFO``
    updated by the config's ``metainfo`` (as mmengine's BaseDataset does)."""
    ds = cfg.test_dataloader.dataset
    meta = dict(getattr(DATASETS.get(ds['type']), 'METAINFO', {}) or {})
    meta.update(ds.get('metainfo') or {})
    return meta


class MultiTaskInferencer(ConfigInferencer):
    """Boxes, semantic mask and image label of a detector's predictions.

    Serves the models whose data samples carry ``pred_instances`` (mmdet
    boxes, in original-image pixels), optionally ``pred_sem_seg`` (``(1, H,
    W)`` class indices at original size) and ``pred_label`` / ``pred_score``
    (image class), i.e. ``MultiTaskDetSegmentor`` and the retail RetinaNet.
    mmdet's ``DetInferencer`` is not used as it is: it keeps the test
    pipeline's ``LoadAnnotations`` (which needs a mask file) and would fall
    back to COCO class names; the pipeline here drops ground-truth loading
    (:mod:`mtl_plugin.apis.inference_pipeline`) and names come from the
    test dataset.

    Each prediction: ``img_path``, ``boxes`` ``[[x1, y1, x2, y2], ...]``,
    ``scores``, ``labels``, ``label_names`` (detections with score >=
    ``pred_score_thr``), and with the matching heads ``sem_seg`` ``(H, W)``
    int array and ``image_label`` / ``image_label_name`` / ``image_score``.
    With ``show_dir`` (or ``return_vis``) the config's visualizer (mmdet's
    ``DetLocalVisualizer`` or :class:`MultiTaskLocalVisualizer`) draws them.

    Args:
        model: config file or :class:`Config`.
        weights: checkpoint; its weights must fit the model exactly.
        device: ``'cpu'``, ``'cuda:0'``, ...
        cfg_options: ``--cfg-options`` style overrides.
        show_progress: progress bar over the batches.
    """

    visualize_kwargs: set = {'show_dir', 'return_vis', 'draw_thr'}
    postprocess_kwargs: set = {'pred_score_thr'}

    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu') -> torch.nn.Module:
        model = build_model(cfg, weights, device)
        model.dataset_meta = dataset_meta(cfg)
        return model

    def _init_visualizer(self, cfg: Config):
        # draw with the config's detection visualizer (not its file backends)
        kind = (cfg.get('visualizer') or {}).get('type', '')
        if kind.split('.')[-1] not in DETECTION_VISUALIZERS:
            kind = 'DetLocalVisualizer'
        visualizer = VISUALIZERS.build(dict(type=kind, name=f'infer_{id(self)}'))
        visualizer.dataset_meta = self.model.dataset_meta
        return visualizer

    def postprocess(self, preds: List[Any], visualization: Optional[List[np.ndarray]],
                    return_datasample: bool = False, pred_score_thr: float = 0.0,
                    **kwargs) -> Dict[str, Any]:
        if return_datasample:
            return dict(predictions=preds, visualization=visualization)
        meta = self.model.dataset_meta
        classes = list(meta.get('classes') or ())
        image_classes = list(meta.get('image_classes') or ())
        results = []
        for sample in preds:
            result = dict(img_path=sample.metainfo.get('img_path'))
            if 'pred_instances' in sample:
                inst = sample.pred_instances
                keep = inst.scores >= pred_score_thr
                labels = inst.labels[keep].tolist()
                result.update(
                    boxes=inst.bboxes[keep].float().cpu().tolist(),
                    scores=inst.scores[keep].float().cpu().tolist(), labels=labels,
                    label_names=[classes[i] if i < len(classes) else str(i)
                                 for i in labels])
            if 'pred_sem_seg' in sample:
                result['sem_seg'] = sample.pred_sem_seg.data[0].cpu().numpy()
            if 'pred_label' in sample:
                label = int(sample.pred_label.view(-1)[0])
                result.update(image_label=label, image_score=float(
                    sample.pred_score.view(-1)[label]),
                    image_label_name=image_classes[label]
                    if label < len(image_classes) else str(label))
            results.append(result)
        return dict(predictions=results, visualization=visualization)

    def visualize(self, inputs: list, preds: List[Any], show_dir: Optional[str] = None,
                  return_vis: bool = False, draw_thr: float = 0.3,
                  **kwargs) -> Optional[List[np.ndarray]]:
        if show_dir is None and not return_vis:
            return None
        if show_dir:
            os.makedirs(show_dir, exist_ok=True)
        drawn = []
        for i, (input_, sample) in enumerate(zip(inputs, preds)):
            img = mmcv.imread(input_) if isinstance(input_, str) else input_
            img = np.ascontiguousarray(img[..., ::-1])  # RGB for the visualizer
            stem = (osp.splitext(osp.basename(input_))[0]
                    if isinstance(input_, str) else f'array_{i}')
            out_file = osp.join(show_dir, f'{stem}.png') if show_dir else None
            self.visualizer.add_datasample(stem, img, sample, draw_gt=False,
                                           pred_score_thr=draw_thr,
                                           out_file=out_file)
            drawn.append(self.visualizer.get_image())
        return drawn
