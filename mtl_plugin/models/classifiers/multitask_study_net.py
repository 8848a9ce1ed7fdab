"""Model of the 3-task 32x32 study: one small CNN, several image-level heads."""
import copy
from typing import Dict, List, Optional

from mmengine.model import BaseModel
from torch import Tensor, nn

from mtl_plugin.registry import MODELS


@MODELS.register_module()
class MultiTaskStudyNet(BaseModel):
    """Shared backbone (last map) feeding one :class:`PooledTaskHead` per task.

    Losses are ``<task>_loss`` weighted by the ``balancer`` (any of the
    balancers of :mod:`mtl_plugin.models.balancers` except the gradient
    surgery one, which is wired into :class:`MultiTaskDetSegmentor` only).
    ``predict`` sets ``pred_<task>`` on each sample: class probabilities
    ``(num_classes,)`` or the regressed value ``(1,)``.

    Args:
        backbone: e.g. :class:`TinyConvNet`.
        heads: ``{task: head config}``; the head's ``task`` defaults to the key.
        balancer: task balancer config (``task_names`` default to the heads).
        data_preprocessor: e.g. mmengine ``ImgDataPreprocessor``.
    """

    def __init__(self,
                 backbone: Dict,
                 heads: Dict[str, Dict],
                 balancer: Dict = dict(type='FixedWeightBalancer'),
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.heads = nn.ModuleDict()
        for task, cfg in heads.items():
            if '_' in task:
                raise ValueError(f'task name {task!r} must not contain "_" '
                                 '(it is the loss-key prefix separator)')
            cfg = copy.deepcopy(dict(cfg))
            cfg.setdefault('task', task)
            self.heads[task] = MODELS.build(cfg)
        balancer = copy.deepcopy(dict(balancer))
        balancer.setdefault('task_names', list(self.heads))
        self.balancer = MODELS.build(balancer)
        if getattr(self.balancer, 'needs_task_gradients', False):
            raise ValueError('MultiTaskStudyNet does not implement gradient '
                             'surgery; use a loss-weighting balancer')

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """``(N, 3, 32, 32)`` -> last backbone map ``(N, C, h, w)``."""
        return self.backbone(inputs)[-1]

    def forward(self, inputs: Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        feat = self.extract_feat(inputs)
        if mode == 'tensor':
            return {t: h(feat) for t, h in self.heads.items()}
        if mode == 'loss':
            losses = {}
            for task, head in self.heads.items():
                for key, value in head.loss(feat, data_samples).items():
                    losses[f'{task}_{key}'] = value
            return self.balancer(losses)
        if mode == 'predict':
            for task, head in self.heads.items():
                for sample, pred in zip(data_samples, head.predict(feat)):
                    sample.set_field(pred, f'pred_{task}')
            return data_samples
        raise ValueError(f'unknown mode {mode!r}; expected tensor, loss or predict')
