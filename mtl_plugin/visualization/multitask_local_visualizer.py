"""mmdet's detection visualizer taught to draw multi-task data samples."""
from typing import List, Optional

import numpy as np
import torch
from mmdet.visualization import DetLocalVisualizer
from mmdet.visualization.palette import get_palette
from mmengine.structures import PixelData

from mtl_plugin.registry import VISUALIZERS


@VISUALIZERS.register_module()
class MultiTaskLocalVisualizer(DetLocalVisualizer):
    """Draws boxes, the semantic mask and the image label of a
    ``MultiTaskDataSample`` (GT | prediction side by side, as mmdet does).

    mmdet's :class:`DetLocalVisualizer` draws boxes and semantic masks, but
    for multi-task samples it lacks three things, added here:

    * our masks are ``PixelData(data=(1, H, W))`` (the key mmseg's
      ``IoUMetric`` reads) where mmdet reads ``sem_seg``;
    * mask labels index ``dataset_meta['seg_classes']`` (with a background
      class), not the detection ``classes``, and need their own palette;
      background pixels (``seg_classes[0] == 'background'``) are not painted;
    * the image-level label (``gt_label`` / ``pred_label`` + ``pred_score``,
      names from ``image_classes``) is written in the top-left corner.

    Used with mmdet's ``DetVisualizationHook`` (``tools/test.py --show-dir``).
    Args are those of :class:`DetLocalVisualizer`.
    """

    def _seg_meta(self):
        meta = self.dataset_meta or {}
        seg_classes = list(meta.get('seg_classes') or ())
        palette = meta.get('seg_palette') or get_palette(
            'random', max(len(seg_classes), 1))
        return seg_classes, palette

    def _as_mmdet_sem_seg(self, sem_seg: PixelData) -> PixelData:
        """``PixelData(data=...)`` -> ``PixelData(sem_seg=...)`` with the
        seg class names and background marked as ignored (255)."""
        data = sem_seg.get('sem_seg', sem_seg.get('data'))
        data = torch.as_tensor(data).clone()
        seg_classes, _ = self._seg_meta()
        if seg_classes and seg_classes[0] == 'background':
            data[data == 0] = 255
        out = PixelData(sem_seg=data)
        out.set_metainfo(dict(ignore_index=255, label_names=seg_classes))
        return out

    def _draw_sem_seg(self, image: np.ndarray, sem_seg: PixelData,
                      classes: Optional[List], palette: Optional[List]
                      ) -> np.ndarray:
        seg_classes, seg_palette = self._seg_meta()
        return super()._draw_sem_seg(image, self._as_mmdet_sem_seg(sem_seg),
                                     seg_classes or classes, seg_palette)

    def _label_text(self, data_sample) -> str:
        names = list((self.dataset_meta or {}).get('image_classes') or ())

        def name(idx):
            return names[idx] if 0 <= idx < len(names) else str(idx)

        parts = []
        if 'gt_label' in data_sample:
            parts.append(f'GT: {name(int(data_sample.gt_label.view(-1)[0]))}')
        if 'pred_label' in data_sample:
            idx = int(data_sample.pred_label.view(-1)[0])
            text = f'pred: {name(idx)}'
            if 'pred_score' in data_sample:
                text += f' {float(data_sample.pred_score.view(-1)[idx]):.2f}'
            parts.append(text)
        return '\n'.join(parts)

    def add_datasample(self, name: str, image: np.ndarray,
                       data_sample=None, *args, **kwargs) -> None:
        """As :meth:`DetLocalVisualizer.add_datasample`; ``image`` is
        ``(H, W, 3)`` RGB uint8."""
        if data_sample is not None:
            text = self._label_text(data_sample)
            if text:
                self.set_image(image)
                self.draw_texts(text, np.array([[2, 2]]), colors='white',
                                font_sizes=max(8, image.shape[0] // 20),
                                bboxes=[dict(facecolor='black', alpha=0.6,
                                             pad=1, edgecolor='none')])
                image = self.get_image()
        super().add_datasample(name, image, data_sample, *args, **kwargs)
