"""Defect scores (and maps) of any classifier on network-input pixels.

The audit talks to the model only through :class:`ModelScorer`: images
``(H, W, C)`` uint8 as the test pipeline leaves them go through the model's
own ``data_preprocessor`` (normalisation, channel order, padding) and its
``predict``; the defect score is ``pred_score[defect_class]`` and the map,
where the predictions carry one, ``pred_cam`` (GAIN-MTL's raw upsampled
defect CAM). That covers :class:`~mtl_plugin.models.GAINMTL` and stock
mmpretrain classifiers (``ImageClassifier``: ``pred_score`` is the head's
softmax).

Score-only calls (``scorer(images)``) switch a GAIN-MTL model's
``test_cfg['with_maps']`` off for their duration (restored after): its
plain-classifier path, whose logits equal those of the map path up to float
rounding, without the heads that only draw maps (half the time of the demo
model).

Operating point (:func:`operating_point`): an image is *called defect* iff
its score is ``>= score_thr``. A model with ``test_cfg['score_thr']`` and a
``defect_class`` attribute (GAIN-MTL) gives its own; other classifiers get
0.5 and class 1 unless the caller says otherwise.
"""
from contextlib import contextmanager
from typing import Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

DEFAULT_SCORE_THR = 0.5
DEFAULT_DEFECT_CLASS = 1


class OperatingPoint(NamedTuple):
    """Defect class index, score threshold and where each came from."""

    defect_class: int
    score_thr: float
    source: str


def operating_point(model: nn.Module, defect_class: Optional[int] = None,
                    score_thr: Optional[float] = None) -> OperatingPoint:
    """The model's own operating point, unless the caller overrides it.

    Args:
        model: the classifier.
        defect_class: index of the defect class; ``None``: the model's
            ``defect_class`` attribute, else 1. A value that contradicts
            the model's attribute raises ``ValueError``.
        score_thr: threshold of "called defect"; ``None``: the model's
            ``test_cfg['score_thr']``, else 0.5.
    """
    model_class = getattr(model, 'defect_class', None)
    test_cfg = getattr(model, 'test_cfg', None)
    model_thr = test_cfg.get('score_thr') if isinstance(test_cfg, dict) else None
    sources = []
    if defect_class is None:
        defect_class = DEFAULT_DEFECT_CLASS if model_class is None else model_class
        sources.append('defect_class ' + ('default' if model_class is None
                                          else 'of the model'))
    elif model_class is not None and int(model_class) != int(defect_class):
        raise ValueError(f'defect_class={defect_class} but the model '
                         f'({type(model).__name__}) has defect_class={model_class}')
    else:
        sources.append('defect_class given')
    if score_thr is None:
        score_thr = DEFAULT_SCORE_THR if model_thr is None else model_thr
        sources.append('score_thr ' + ('default 0.5' if model_thr is None
                                       else 'model test_cfg.score_thr'))
    else:
        sources.append('score_thr given')
    if not 0.0 <= float(score_thr) <= 1.0:
        raise ValueError(f'score_thr={score_thr}; expected a probability in [0, 1]')
    return OperatingPoint(int(defect_class), float(score_thr), ', '.join(sources))


class ModelScorer:
    """Batched defect scores (and maps) of a model on uint8 images.

    Args:
        model: a classifier with a ``data_preprocessor`` and ``predict``
            returning data samples with ``pred_score`` ``(K,)``.
        defect_class / score_thr: see :func:`operating_point`.
        batch_size: images per forward pass.
    """

    def __init__(self, model: nn.Module, defect_class: Optional[int] = None,
                 score_thr: Optional[float] = None, batch_size: int = 32) -> None:
        for attr in ('data_preprocessor', 'predict'):
            if not hasattr(model, attr):
                raise TypeError(f'ModelScorer: {type(model).__name__} has no '
                                f'{attr}; expected an mmengine BaseModel '
                                'classifier (GAINMTL, mmpretrain ImageClassifier)')
        self.model = model
        self.point = operating_point(model, defect_class, score_thr)
        self.batch_size = int(batch_size)

    @property
    def defect_class(self) -> int:
        return self.point.defect_class

    @property
    def score_thr(self) -> float:
        return self.point.score_thr

    @torch.no_grad()
    def score_with_maps(self, images: Sequence[np.ndarray]
                        ) -> Tuple[np.ndarray, List[Optional[np.ndarray]]]:
        """Scores ``(N,)`` float64 and maps (``(H, W)`` float32 at each
        image's size, or None where the model gives none) of ``N`` images
        ``(H, W, C)`` uint8."""
        scores: List[float] = []
        maps: List[Optional[np.ndarray]] = []
        was_training = self.model.training
        self.model.eval()
        try:
            for start in range(0, len(images), self.batch_size):
                chunk = images[start:start + self.batch_size]
                tensors = [torch.from_numpy(np.ascontiguousarray(
                    np.asarray(img).transpose(2, 0, 1))) for img in chunk]
                data = self.model.data_preprocessor(
                    dict(inputs=tensors, data_samples=None), False)
                for img, out in zip(chunk, self.model.predict(data['inputs'])):
                    scores.append(self._score(out))
                    cam = out.get('pred_cam')
                    maps.append(None if cam is None else
                                cam.data[0, :img.shape[0], :img.shape[1]]
                                .float().cpu().numpy())
        finally:
            self.model.train(was_training)
        return np.asarray(scores, np.float64), maps

    def _score(self, out) -> float:
        score = out.get('pred_score')
        if score is None:
            raise KeyError(f'ModelScorer: {type(self.model).__name__}.predict gives '
                           'no pred_score; the audit needs class scores')
        score = score.reshape(-1)
        if not 0 <= self.defect_class < score.numel():
            raise ValueError(f'ModelScorer: defect_class={self.defect_class} but '
                             f'pred_score has {score.numel()} classes')
        return float(score[self.defect_class])

    @contextmanager
    def _without_maps(self) -> Iterator[None]:
        test_cfg = getattr(self.model, 'test_cfg', None)
        if not isinstance(test_cfg, dict) or not test_cfg.get('with_maps'):
            yield
            return
        test_cfg['with_maps'] = False
        try:
            yield
        finally:
            test_cfg['with_maps'] = True

    def __call__(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Scores ``(N,)`` float64 of ``N`` images ``(H, W, C)`` uint8."""
        with self._without_maps():
            return self.score_with_maps(images)[0]
