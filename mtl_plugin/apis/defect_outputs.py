"""Results, files and final line of the defect inferencers, shared by the
PyTorch (:class:`DefectInferencer`) and ONNX (:class:`OnnxDefectInferencer`)
backends so that both give the same JSON for the same image."""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from mtl_plugin.visualization.gain_panels import draw_gain_panels

from .inference_writer import InferenceWriter

#: maps of a defect prediction, in the order they are drawn
MAP_NAMES = ('cam', 'attention', 'loc')


def resize_map(value: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """An ``(h, w)`` map resized bilinearly (half-pixel centres, as
    ``F.interpolate(..., align_corners=False)``) to ``size`` ``(H, W)``,
    float32."""
    value = np.asarray(value, dtype=np.float32)
    if value.shape == tuple(size):
        return value
    out = F.interpolate(torch.from_numpy(value)[None, None], size=tuple(size),
                        mode='bilinear', align_corners=False)
    return out[0, 0].numpy()


class DefectOutputs:
    """Mixin of the defect inferencers; needs ``classes`` (names by class
    index), ``defect_class`` and ``score_thr`` attributes.

    A result is a dict: ``img_path`` (``None`` for an array), ``score``
    (defect probability), ``label`` (1 defect / 0 normal: ``score >=
    score_thr``), ``label_name``, ``score_thr``, ``pred_score`` (all class
    probabilities) and the maps the model outputs (``cam``: raw defect CAM,
    ``attention``: sigmoid attention, ``loc``: localization probability),
    each ``(H, W)`` float32 at the *original image size*, resized once from
    the network input.
    """

    classes: Sequence[str]
    defect_class: int
    score_thr: float

    def defect_results(self, items: List[Any], scores: np.ndarray,
                       labels: Sequence[int], maps: List[Dict[str, np.ndarray]],
                       sizes: List[Tuple[int, int]],
                       images: Optional[List[np.ndarray]] = None
                       ) -> Tuple[List[Dict], List[Optional[np.ndarray]]]:
        """Result dicts and panels of a batch.

        Args:
            items: the inputs (paths or arrays).
            scores: ``(N, K)`` class probabilities.
            labels: ``N`` predicted class indices.
            maps: per image ``{name: (h, w)}`` maps at the network input size.
            sizes: per image the original ``(H, W)``.
            images: per image the ``(H, W, 3)`` RGB original, to draw the
                image | CAM | attention | loc panels (``None``: no panels).
        """
        results, panels = [], []
        for i, (item, score, label, image_maps, size) in enumerate(
                zip(items, scores, labels, maps, sizes)):
            at_image = {name: resize_map(image_maps[name], size)
                        for name in MAP_NAMES if name in image_maps}
            label = int(label)
            score = np.asarray(score, dtype=np.float32)
            result = dict(img_path=item if isinstance(item, str) else None,
                          score=float(score[self.defect_class]),
                          label=int(label == self.defect_class),
                          label_name=self.classes[label],
                          score_thr=float(self.score_thr),
                          pred_score=[float(v) for v in score])
            result.update(at_image)
            results.append(result)
            panels.append(None if images is None else draw_gain_panels(
                images[i], cam=at_image.get('cam'),
                attention=at_image.get('attention'), loc=at_image.get('loc'),
                caption=f'{result["label_name"]} p={result["score"]:.2f}'))
        return results, panels

    def _write(self, writer: InferenceWriter, stem: str, result: Dict,
               vis: Optional[np.ndarray], save_maps: bool) -> Dict:
        record = {k: v for k, v in result.items() if k not in MAP_NAMES}
        maps = {k: result[k] for k in MAP_NAMES if k in result}
        return writer.write(stem, record, vis=vis,
                            maps=maps if save_maps else None)

    def _summary(self, results: List[Dict]) -> Tuple[str, Dict]:
        flagged = sum(r['label'] for r in results)
        line = (f'{len(results)} image(s), {flagged} flagged as defect at score '
                f'>= {float(self.score_thr)}')
        return line, dict(num_flagged=flagged, score_thr=float(self.score_thr),
                          classes=list(self.classes),
                          defect_class=int(self.defect_class))
