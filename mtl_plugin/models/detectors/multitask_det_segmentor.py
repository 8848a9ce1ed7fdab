"""One backbone + neck pass feeding segmentation, detection and classification heads."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmdet.models.detectors.base import BaseDetector
from mmengine.optim import OptimWrapper
from torch import Tensor, nn

from mtl_plugin.registry import MODELS

TASKS = ('seg', 'det', 'cls')


@MODELS.register_module()
class MultiTaskDetSegmentor(BaseDetector):
    """Multi-task detector-segmentor-classifier with independent heads.

    ``inputs (N, 3, H, W)`` -> backbone (e.g. ``mmpretrain.MobileNetV3``
    small, 4 scales) -> neck (mmdet ``FPN``, 128 channels) -> heads:

    * ``seg_head`` (:class:`TransposedConvSegHead`): logits at input size;
    * ``det_head`` (mmdet ``FCOSHead``, reused as is);
    * ``cls_head`` (:class:`GlobalPoolClsHead`).

    A head set to ``None`` is switched off, so the single-task baselines are
    the same code. ``loss()`` returns the heads' losses prefixed with their
    task (``seg_loss_ce``, ``det_loss_cls``, ``det_loss_bbox``,
    ``det_loss_centerness``, ``cls_loss_ce``) after the ``balancer`` weighted
    them, plus the logged ``weight_<task>`` scalars. ``predict()`` fills
    ``pred_instances``, ``pred_sem_seg`` (``(1, H, W)`` long at the original
    image size) and ``pred_score`` / ``pred_label`` of the same samples.

    Args:
        backbone: backbone config (any backbone returning a tuple of maps).
        neck: neck config (its outputs are shared by every head).
        seg_head / det_head / cls_head: head configs or None.
        balancer: task balancer config (``FixedWeightBalancer``, ...);
            ``task_names`` defaults to the enabled tasks.
        detach_tasks: tasks whose head gets detached features (stop-gradient:
            its loss trains the head only, never the shared trunk).
        task_adapter: config of a per-task module between the neck and each
            head (e.g. :class:`TaskFeatureAdapter`), built once per enabled
            task; None: heads read the neck levels directly.
        data_preprocessor: e.g. mmdet ``DetDataPreprocessor``.
    """

    def __init__(self,
                 backbone: Dict,
                 neck: Optional[Dict] = None,
                 seg_head: Optional[Dict] = None,
                 det_head: Optional[Dict] = None,
                 cls_head: Optional[Dict] = None,
                 balancer: Dict = dict(type='FixedWeightBalancer'),
                 detach_tasks: Sequence[str] = (),
                 task_adapter: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        heads = dict(seg=seg_head, det=det_head, cls=cls_head)
        self.tasks = [t for t in TASKS if heads[t] is not None]
        if not self.tasks:
            raise ValueError('MultiTaskDetSegmentor needs at least one of '
                             'seg_head, det_head, cls_head')
        for task in TASKS:
            setattr(self, f'{task}_head',
                    MODELS.build(heads[task]) if heads[task] else None)
        unknown = set(detach_tasks) - set(TASKS)
        if unknown:
            raise KeyError(f'detach_tasks has unknown tasks {sorted(unknown)}; '
                           f'expected a subset of {TASKS}')
        self.detach_tasks = tuple(detach_tasks)
        self.adapters = None if task_adapter is None else nn.ModuleDict(
            {t: MODELS.build(copy.deepcopy(task_adapter)) for t in self.tasks})
        balancer = copy.deepcopy(dict(balancer))
        balancer.setdefault('task_names', self.tasks)
        # Per-task balancer options of switched-off heads are dropped, so a
        # single-task config can inherit the joint config's balancer.
        off = set(TASKS) - set(self.tasks)
        for key in ('weights', 'task_warmup', 'init_log_vars'):
            if isinstance(balancer.get(key), dict):
                balancer[key] = {t: v for t, v in balancer[key].items()
                                 if t not in off}
        self.balancer = MODELS.build(balancer)

    @property
    def shared_modules(self) -> List[torch.nn.Module]:
        return [m for m in (self.backbone, self.neck) if m is not None]

    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """``(N, 3, H, W)`` -> tuple of neck levels, finest first."""
        x = self.backbone(batch_inputs)
        if self.neck is not None:
            x = self.neck(x)
        return tuple(x)

    def _head_feats(self, task: str, feats: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
        """Neck levels as ``task``'s head reads them: detached for a
        stop-gradient task (its adapter still trains), then adapted."""
        if task in self.detach_tasks:
            feats = tuple(f.detach() for f in feats)
        if self.adapters is not None:
            feats = self.adapters[task](feats)
        return feats

    def task_losses(self, batch_inputs: Tensor,
                    batch_data_samples: List) -> Dict[str, Tensor]:
        """Unweighted per-task losses with ``<task>_`` prefixes."""
        feats = self.extract_feat(batch_inputs)
        losses: Dict[str, Tensor] = {}
        for task in self.tasks:
            head = getattr(self, f'{task}_head')
            for key, value in head.loss(self._head_feats(task, feats),
                                        batch_data_samples).items():
                losses[f'{task}_{key}'] = value
        return losses

    def loss(self, batch_inputs: Tensor, batch_data_samples: List) -> Dict[str, Tensor]:
        """Balanced prefixed losses plus ``weight_<task>`` log entries."""
        return self.balancer(self.task_losses(batch_inputs, batch_data_samples))

    def predict(self, batch_inputs: Tensor, batch_data_samples: List,
                rescale: bool = True) -> List:
        feats = self.extract_feat(batch_inputs)
        if self.det_head is not None:
            results = self.det_head.predict(self._head_feats('det', feats),
                                            batch_data_samples,
                                            rescale=rescale)
            batch_data_samples = self.add_pred_to_datasample(
                batch_data_samples, results)
        if self.seg_head is not None:
            for sample, seg in zip(batch_data_samples,
                                   self.seg_head.predict(
                                       self._head_feats('seg', feats),
                                       batch_data_samples, rescale=rescale)):
                sample.pred_sem_seg = seg
        if self.cls_head is not None:
            scores = self.cls_head.predict(self._head_feats('cls', feats))
            for sample, score in zip(batch_data_samples, scores):
                sample.pred_score = score
                sample.pred_label = score.argmax(0, keepdim=True)
        return batch_data_samples

    def _forward(self, batch_inputs: Tensor, batch_data_samples=None) -> Dict:
        """Raw head outputs ``{task: output}`` (for tracing / FLOPs)."""
        feats = self.extract_feat(batch_inputs)
        return {t: getattr(self, f'{t}_head')(self._head_feats(t, feats))
                for t in self.tasks}

    def train_step(self, data, optim_wrapper: OptimWrapper) -> Dict[str, Tensor]:
        """Standard step, or the balancer's gradient surgery when it asks.

        With ``balancer.needs_task_gradients`` the model runs the forward
        pass and hands the loss dict and the shared parameters (backbone +
        neck) to ``balancer.update_params``
        (:meth:`BaseTaskBalancer.update_params`), which does the backward
        pass and the optimizer step. Not for DDP-wrapped models (DDP's own
        ``train_step`` bypasses this method).
        """
        if not getattr(self.balancer, 'needs_task_gradients', False):
            return super().train_step(data, optim_wrapper)
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = self._run_forward(data, mode='loss')
        total, log_vars = self.parse_losses(losses)
        shared = [p for m in self.shared_modules for p in m.parameters()
                  if p.requires_grad]
        self.balancer.update_params(losses, total, shared, optim_wrapper)
        return log_vars
