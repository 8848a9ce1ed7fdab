"""Inference of an exported GAIN-MTL ONNX file, with nothing but the file."""
from typing import Any, Dict, List, Optional, Sequence

import mmcv
import numpy as np

from mtl_plugin.deployment.onnx_export import onnx_session, run_onnx
from mtl_plugin.deployment.onnx_metadata import read_onnx_metadata

from .batch_inference import BatchInference
from .defect_outputs import MAP_NAMES, DefectOutputs
from .image_inputs import MASK_PATTERNS


class OnnxDefectInferencer(DefectOutputs, BatchInference):
    """:class:`DefectInferencer`'s results from an ONNX file written by
    ``tools/deployment/export_onnx.py``: no config, no checkpoint, no torch
    model. Input size, classes, defect class and threshold come from the
    file's metadata (:mod:`mtl_plugin.deployment.onnx_metadata`); an image is
    read and resized exactly as the test pipeline does (``mmcv.imread``,
    ``mmcv.imresize`` bilinear), so the scores equal the PyTorch
    inferencer's (tested to 1e-4) and the JSON, maps and panels written under
    ``out_dir`` are the same files.

    >>> inferencer = OnnxDefectInferencer('gain.onnx')
    >>> out = inferencer('data/gain_demo/test', out_dir='outputs')

    Args:
        onnx_file: the exported model.
        score_thr: another operating point than the file's (``None``: the
            file's).
        threads: onnxruntime intra-op threads (0: its default).
        show_progress: progress bar over the batches.
    """

    def __init__(self, onnx_file: str, score_thr: Optional[float] = None,
                 threads: int = 0, show_progress: bool = True) -> None:
        self.session = onnx_session(onnx_file, threads)
        self.meta = read_onnx_metadata(self.session)
        self.classes = tuple(self.meta['classes'])
        self.defect_class = int(self.meta['defect_class'])
        self.score_thr = float(self.meta['score_thr'] if score_thr is None
                               else score_thr)
        if not 0.0 <= self.score_thr <= 1.0:
            raise ValueError(f'score_thr must be a defect probability in [0, 1], '
                             f'got {self.score_thr}')
        self.output_names = list(self.meta['outputs'])
        self.show_progress = show_progress

    def __call__(self, inputs: Any, batch_size: int = 1,
                 out_dir: Optional[str] = None, on_error: str = 'skip',
                 exclude: Sequence[str] = MASK_PATTERNS, save_maps: bool = False,
                 no_save_vis: bool = False, return_vis: bool = False) -> Dict:
        """Infer on ``inputs``; arguments as :meth:`BatchInference.run`."""
        return self.run(inputs, batch_size, out_dir, on_error, exclude, save_maps,
                        no_save_vis, return_vis)

    def _load(self, item: Any) -> Dict:
        img = mmcv.imread(item) if isinstance(item, str) else item
        if img is None:
            raise ValueError('not decodable')
        if img.ndim == 2:
            img = mmcv.gray2bgr(img)
        h, w = self.meta['input_size']
        resized = mmcv.imresize(img, (w, h), interpolation='bilinear')
        return dict(input=resized.transpose(2, 0, 1).astype(np.float32),
                    original=np.ascontiguousarray(img[..., ::-1]))

    def _predict(self, data: List[Dict]) -> List[Dict]:
        outputs = run_onnx(self.session, np.stack([d['input'] for d in data]))
        named = dict(zip(self.output_names, outputs))
        return [dict({name: named[name][i] for name in named}, original=d['original'])
                for i, d in enumerate(data)]

    def _results(self, items: List[Any], preds: List[Dict], draw: bool):
        scores = np.stack([p['scores'] for p in preds])
        is_defect = scores[:, self.defect_class] >= self.score_thr
        labels = np.where(is_defect, self.defect_class, 1 - self.defect_class)
        maps = [{name: p[name][0] for name in MAP_NAMES if name in p} for p in preds]
        sizes = [p['original'].shape[:2] for p in preds]
        images = [p['original'] for p in preds] if draw else None
        return self.defect_results(items, scores, labels, maps, sizes, images)
