"""Inference of the detection workloads (multi-task detector-segmentor, dense
retail detector) on new images."""
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import VISUALIZERS

from .config_inferencer import ConfigInferencer
from .dataset_meta import dataset_meta
from .inference_writer import InferenceWriter
from .model import build_model

DETECTION_VISUALIZERS = ('DetLocalVisualizer', 'MultiTaskLocalVisualizer')


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

    Each result: ``img_path``, ``boxes`` ``[[x1, y1, x2, y2], ...]``,
    ``scores``, ``labels``, ``label_names`` (detections with score >=
    ``pred_score_thr``), and with the matching heads ``sem_seg`` ``(H, W)``
    int array (written as ``sem_seg/<stem>.png`` under ``out_dir``) and
    ``image_label`` / ``image_label_name`` / ``image_score``. Overlays are
    drawn by the config's visualizer (mmdet's ``DetLocalVisualizer`` or
    :class:`MultiTaskLocalVisualizer`) with boxes of score >= ``draw_thr``.
    Call options and the skip policy: :meth:`BatchInference.run`.

    Args:
        model: config file or :class:`Config`.
        weights: checkpoint; its weights must fit the model exactly.
        device: ``'cpu'``, ``'cuda:0'``, ...
        cfg_options: ``--cfg-options`` style overrides.
        show_progress: progress bar over the batches.
    """

    visualize_kwargs: set = {'draw_thr'}
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

    def postprocess(self, preds: List[Any], visualization=None,
                    pred_score_thr: float = 0.0, **kwargs) -> List[Dict]:
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
        return results

    def visualize(self, inputs: list, preds: List[Any], draw_thr: float = 0.3,
                  **kwargs) -> List[np.ndarray]:
        drawn = []
        for i, (input_, sample) in enumerate(zip(inputs, preds)):
            self.visualizer.add_datasample(f'image_{i}', self.original_rgb(input_),
                                           sample, draw_gt=False,
                                           pred_score_thr=draw_thr)
            drawn.append(self.visualizer.get_image())
        return drawn

    def _write(self, writer: InferenceWriter, stem: str, result: Dict,
               vis: Optional[np.ndarray], save_maps: bool) -> Dict:
        record = {k: v for k, v in result.items() if k != 'sem_seg'}
        return writer.write(stem, record, vis=vis, sem_seg=result.get('sem_seg'))

    def _summary(self, results: List[Dict]) -> Tuple[str, Dict]:
        boxes = sum(len(r.get('boxes', ())) for r in results)
        return f'{len(results)} image(s), {boxes} box(es)', dict(num_boxes=boxes)
