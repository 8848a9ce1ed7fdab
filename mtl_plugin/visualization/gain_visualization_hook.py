"""Hook drawing GAIN-MTL panels (image | CAM | attention | localization | GT)."""
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.hooks import Hook

from mtl_plugin.registry import HOOKS

from .gain_panels import draw_gain_panels


def _field(sample, key: str):
    value = getattr(sample, key, None)
    if value is None:
        return None
    return getattr(value, 'data', value)


@HOOKS.register_module()
class GAINVisualizationHook(Hook):
    """Draw :func:`draw_gain_panels` of the predictions during val and test.

    Mirrors mmdet's ``DetVisualizationHook``: nothing is drawn unless
    ``draw=True`` (tools/test.py ``--show-dir`` sets ``draw`` and
    ``test_out_dir``). In test, every sample's panel is written to
    ``test_out_dir/<parent folder>_<image stem>.png``: an absolute path is used as is, a
    relative one is joined with ``<work_dir>/<timestamp>/``; without
    ``test_out_dir`` the panels go to the visualizer's backends. In val, the
    first sample of every ``interval``-th batch goes to the backends.

    Reads from each output sample: ``pred_cam``, ``pred_attention``,
    ``pred_loc`` (``(1, H, W)`` maps, each optional), ``gt_sem_seg``,
    ``pred_score``/``pred_label``, ``gt_label``, ``img_path``; the image is the
    batch input ``(C, H, W)`` uint8, ``BGR`` unless ``input_bgr=False``.

    Args:
        draw: whether to draw at all.
        interval: val batches between drawings.
        test_out_dir: folder of the test panels.
        input_bgr: whether the raw inputs are BGR (mmcv's loading default).
    """

    priority = 'NORMAL'

    def __init__(self, draw: bool = False, interval: int = 50,
                 test_out_dir: Optional[str] = None, input_bgr: bool = True) -> None:
        self.draw = draw
        self.interval = interval
        self.test_out_dir = test_out_dir
        self.input_bgr = input_bgr
        self._out_dir: Optional[str] = None

    def panel(self, image, sample) -> np.ndarray:
        """Panels of one sample as an RGB array (see :func:`draw_gain_panels`)."""
        img = image.detach().cpu().numpy().transpose(1, 2, 0) \
            if hasattr(image, 'detach') else np.asarray(image)
        if img.shape[2] == 1:
            img = np.repeat(img, 3, axis=2)
        img = np.ascontiguousarray(img[..., ::-1] if self.input_bgr else img)
        img = img.astype(np.uint8)
        caption = []
        score, label = _field(sample, 'pred_score'), _field(sample, 'pred_label')
        if label is not None:
            pred = int(label.view(-1)[0])
            caption.append(f'pred {pred}' + (f' {float(score[pred]):.2f}'
                                             if score is not None else ''))
        gt_label = _field(sample, 'gt_label')
        if gt_label is not None:
            caption.append(f'gt {int(gt_label.view(-1)[0])}')
        return draw_gain_panels(
            img, cam=_field(sample, 'pred_cam'),
            attention=_field(sample, 'pred_attention'),
            loc=_field(sample, 'pred_loc'), gt_mask=_field(sample, 'gt_sem_seg'),
            caption=' '.join(caption))

    def before_test(self, runner) -> None:
        self._out_dir = None
        if self.draw and self.test_out_dir is not None:
            self._out_dir = osp.join(runner.work_dir, runner.timestamp, self.test_out_dir)
            os.makedirs(self._out_dir, exist_ok=True)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        if not self.draw or not outputs or batch_idx % self.interval != 0:
            return
        sample = outputs[0]
        name = osp.basename(sample.metainfo.get('img_path', f'val_{batch_idx}'))
        runner.visualizer.add_image(f'val_{name}',
                                    self.panel(data_batch['inputs'][0], sample),
                                    step=runner.iter)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        if not self.draw:
            return
        for i, sample in enumerate(outputs):
            panel = self.panel(data_batch['inputs'][i], sample)
            img_path = sample.metainfo.get('img_path', f'test_{batch_idx}_{i}.png')
            # The parent folder keeps names unique across MVTec defect types.
            parent = osp.basename(osp.dirname(img_path))
            stem = '_'.join(filter(None, [parent, osp.splitext(osp.basename(img_path))[0]]))
            if self._out_dir is not None:
                cv2.imwrite(osp.join(self._out_dir, f'{stem}.png'), panel[..., ::-1])
            else:
                runner.visualizer.add_image(f'test_{stem}', panel, step=batch_idx)
