"""GAIN-MTL: defect classifier whose attention is guided to the defect.

One model, one file, longer than the package's usual ~300 lines on purpose:
every loss term reads the same forward pass (features, CAM, attention,
localization probability, masks) and the extra passes (attention mining,
counterfactual, sufficiency composites) are chosen per step from the loss
weights; split across files they would pass a dozen tensors back and forth.
The reusable parts live elsewhere: heads in ``models/heads``, losses in
``models/losses``, composites in ``models/batch_augments``.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from torch import Tensor

from mtl_plugin.models.batch_augments import CompositeBatch
from mtl_plugin.models.utils import fill_in_channels, masks_to_float, probe_image, probe_levels
from mtl_plugin.registry import MODELS
from mtl_plugin.structures import MultiTaskDataSample
from mtl_plugin.utils.map_normalization import minmax_normalize

#: Names of the loss terms, the keys of ``loss_weights``.
LOSS_TERMS = ('cls', 'cam_guide', 'am', 'guide', 'loc', 'consistency', 'cf',
              'cf_effect', 'ctx_erase', 'transplant', 'offmask')
#: Maps of :meth:`GAINMTL._forward`, each predicted as ``pred_<name>``.
MAP_NAMES = ('cam', 'attention', 'loc')
_NEEDS_ATTENTION = ('am', 'guide')
_NEEDS_LOC = ('loc', 'consistency')


@MODELS.register_module()
class GAINMTL(BaseModel):
    """Defect / normal classifier with CAM guidance, GAIN attention mining, a
    localization branch, a counterfactual loss and GT-mask fusion (S1..S9).

    Components (each optional except backbone and classifier; ``None`` turns
    a component off):

    * ``backbone``: any backbone returning a tuple of feature levels (fine to
      coarse); level ``cam_level`` (default the last) feeds the classifier
      and attention heads, all levels feed the localization FPN.
    * ``cam_neck``: optional neck over the backbone levels (e.g. mmdet
      ``FPN``); its output ``cam_level`` then feeds the classifier and the
      attention head instead, so CAM and attention live on a finer grid than
      the last backbone level (stride 8 instead of 32: 16x16 instead of 4x4
      at 128 px) while the logits stay the spatial mean of that CAM.
    * ``cls_head`` (:class:`CAMClsHead`): logits and weight-based CAM in one pass.
    * ``attention_head`` (:class:`GAINAttentionHead`, S3+).
    * ``loc_head`` (:class:`GAINLocalizationHead`, S4+).
    * ``map_upsampler``: how CAM and attention reach input resolution
      (:class:`BilinearMapUpsampler` or :class:`DeconvMapDecoder`); one
      instance each for the CAM and the attention.

    Channels are not configured: the model builds the backbone (and the
    ``cam_neck``), runs one zero image through them and fills in
    ``cam_neck.in_channels`` and ``loc_head.neck.in_channels`` (the backbone
    levels' channels) and the ``in_channels`` of ``cls_head`` and
    ``attention_head`` (the channels of level ``cam_level``), so swapping the
    backbone is one key. A config that states one of them must state the
    measured value (``ValueError`` otherwise).

    Loss terms and their weights (``loss_weights``, keys of
    :data:`LOSS_TERMS`; missing keys are 0 except ``cls`` = 1). A term whose
    weight is 0 is not computed, and neither is the extra forward pass it needs
    (the attention-mining pass through the backbone, the counterfactual
    pass), so S1 costs what a plain classifier costs. The weights are read at
    every step: :class:`LossWeightSchedulerHook` changes them during training.

    * ``loss_cls``: cross-entropy of the image label.
    * ``loss_cam_guide``: :class:`CAMGuidanceLoss` of the upsampled defect CAM
      vs the GT mask, all images.
    * ``loss_guide``: :class:`AttentionGuidanceLoss` (GAIN L_e), all images.
    * ``loss_am``: :class:`AttentionMiningLoss` (GAIN L_am) on ``I - T(M) * I``
      of the defect images, where ``M`` is the fused attention (the min-max
      normalised attention, averaged with the detached localization
      probability when the localization head is on) and, with ``gt_fusion``,
      ``M = alpha * GT + (1 - alpha) * fused`` with ``alpha =
      self.gt_fusion_alpha`` (S6: the hook decays it to 0).
    * ``loss_loc_bce`` / ``loss_loc_dice``: the localization head's losses,
      both multiplied by ``loss_weights['loc']``.
    * ``loss_consistency``: :class:`MapConsistencyLoss` of the CAM (and the
      attention, when on) vs the localization probability, defect images.
    * ``loss_offmask``: :class:`OffMaskEvidenceLoss` of the defect map (on
      the CAM grid) outside the dilated GT mask, all images: no positive
      evidence off the defect (S9; with ``cam_evidence`` and log-sum-exp
      pooling a single off-mask cell could otherwise carry the logit).
    * ``loss_cf``: :class:`CounterfactualLoss`, defect images.
    * ``loss_cf_effect``: the CAL effect term of :class:`CounterfactualLoss`
      with the attention (or, without attention head, the detached normalised
      CAM) vs a uniform random map on the CAM feature grid.
    * ``loss_ctx_erase`` / ``loss_transplant``: sufficiency terms,
      cross-entropy of the composites of :class:`ContextErasure` (defect on
      a normal image's context -> defect; the context alone -> normal) and
      :class:`DefectTransplant` (GT-masked defect moved onto a normal image
      -> defect), one extra backbone pass over all composites together; with
      ``cam_guide`` on, ``loss_<term>_cam_guide`` also supervises the
      composites' CAM with their masks (weight ``w[term] * w['cam_guide']``).
      A batch without the images a term needs gives 0 (attached to the
      graph).

    Data: ``inputs`` ``(N, 3, H, W)`` normalised by the data preprocessor;
    each sample carries ``gt_label`` ``(1,)`` and, for every pixel-level term,
    ``gt_sem_seg.data`` ``(1, H, W)`` in {0, 1} at input size. Mixed
    supervision (Bozic et al., 2021): a sample without ``gt_sem_seg`` whose
    metainfo has ``has_mask=False`` (``DefectDataset(allow_unmasked_defects
    =True)`` or ``mask_fraction``) trains the image-level terms (``cls``,
    ``am``, ``cf_effect``); the pixel terms (``cam_guide``, ``guide``,
    ``loc``, ``consistency``, ``cf``, ``offmask``, GT fusion,
    ``ctx_erase``, ``transplant``) use only the samples that have a mask.

    Predictions (:meth:`predict`): ``pred_score`` ``(K,)`` softmax,
    ``pred_label`` ``(1,)`` (defect iff ``pred_score[defect_class] >=
    test_cfg.score_thr``), ``pred_cam`` (raw upsampled defect CAM),
    ``pred_attention`` (sigmoid of the upsampled attention, with an attention
    head) and ``pred_loc`` (localization probability, with a loc head), each a
    ``PixelData`` of ``(1, H, W)`` float cropped to the sample's ``img_shape``.

    Args:
        backbone: backbone config.
        cls_head: classifier config (``in_channels`` filled in).
        attention_head: GAIN attention head config or ``None``
            (``in_channels`` filled in).
        loc_head: localization head config or ``None`` (its
            ``neck.in_channels`` filled in).
        map_upsampler: upsampler config for CAM and attention.
        loss_weights: weights of the loss terms.
        cam_neck: neck config or ``None`` (classifier on the backbone;
            ``in_channels`` filled in).
        cam_level: index of the level (of the neck outputs, or of the
            backbone levels without a neck) that feeds classifier and
            attention head.
        cls_loss, cam_guide_loss, am_loss, guide_loss, consistency_loss,
        cf_loss: configs of the loss modules.
        context_erasure, defect_transplant: configs of the batch augments of
            the sufficiency terms.
        gt_fusion: enable S6 GT-mask fusion in the attention-mining mask.
        cam_evidence: the defect map (guidance, off-mask loss, predicted
            ``cam``) is the defect CAM minus the other class's
            (:meth:`defect_map`).
        composites_in_batch: put the sufficiency composites in the batch in
            place of the images they are made from
            (:meth:`_compose_in_batch`) instead of an extra backbone pass:
            the step costs what a plain step costs. No shipped config uses
            it: on the real-photograph family the tiny demo model trained
            this way stayed at chance (its cross-entropy above ln 2 all
            run), while the extra pass learns; the real defect images, cue
            and all, seem to be needed next to the composites early on.
        gt_fusion_alpha: initial ``alpha`` (the hook overwrites it).
        defect_class: index of the defect class; the model hands it to its
            losses (set ``CAMMetric.defect_class`` to the same value).
        test_cfg: ``dict(with_maps=True, score_thr=0.5)``; ``with_maps=False``
            predicts only scores and labels (the plain-classifier path);
            ``pred_label`` is the defect class iff its probability >=
            ``score_thr`` (the operating point), else the other class.
        data_preprocessor: e.g. mmengine's ``ImgDataPreprocessor``.
        init_cfg: initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 cls_head: dict,
                 attention_head: Optional[dict] = None,
                 loc_head: Optional[dict] = None,
                 map_upsampler: dict = dict(type='BilinearMapUpsampler'),
                 cam_neck: Optional[dict] = None,
                 cam_level: int = -1,
                 loss_weights: Optional[Dict[str, float]] = None,
                 cls_loss: dict = dict(type='CrossEntropyLoss',
                                       use_sigmoid=False),
                 cam_guide_loss: dict = dict(type='CAMGuidanceLoss'),
                 am_loss: dict = dict(type='AttentionMiningLoss'),
                 guide_loss: dict = dict(type='AttentionGuidanceLoss'),
                 consistency_loss: dict = dict(type='MapConsistencyLoss'),
                 cf_loss: dict = dict(type='CounterfactualLoss'),
                 context_erasure: dict = dict(type='ContextErasure'),
                 defect_transplant: dict = dict(type='DefectTransplant'),
                 gt_fusion: bool = False,
                 gt_fusion_alpha: float = 0.0,
                 defect_class: int = 1,
                 cam_evidence: bool = False,
                 composites_in_batch: bool = False,
                 offmask_loss: dict = dict(type='OffMaskEvidenceLoss'),
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.loss_weights = self._check_weights(loss_weights or {},
                                                attention_head, loc_head)
        if gt_fusion and attention_head is None:
            raise ValueError('GAINMTL: gt_fusion=True fuses the GT mask into '
                             'the attention-mining mask and needs an '
                             'attention_head')
        if not 0.0 <= gt_fusion_alpha <= 1.0:
            raise ValueError(f'GAINMTL: gt_fusion_alpha must be in [0, 1], got '
                             f'{gt_fusion_alpha}')
        # Channels come from the parts built (mmdet detectors complete their
        # head configs the same way): one pass of a zero image through the
        # backbone (and the CAM neck) gives every level's channels.
        self.backbone = MODELS.build(backbone)
        self.cam_level = int(cam_level)
        levels = probe_levels(self.backbone, (probe_image(), ))
        level_channels = [int(f.shape[1]) for f in levels]
        self.cam_neck = None
        if cam_neck:
            self.cam_neck = MODELS.build(fill_in_channels(
                cam_neck, 'in_channels', level_channels, 'GAINMTL: cam_neck',
                'backbone levels'))
            levels = probe_levels(self.cam_neck, (tuple(levels), ))
        if not -len(levels) <= self.cam_level < len(levels):
            raise ValueError(
                f'GAINMTL: cam_level={self.cam_level} but the '
                f'{"cam_neck" if self.cam_neck is not None else "backbone"} '
                f'gives {len(levels)} levels')
        cam_channels = int(levels[self.cam_level].shape[1])
        source = ('cam_neck level' if self.cam_neck is not None
                  else 'backbone level')
        source = f'{source} cam_level={self.cam_level}'
        cls_head = fill_in_channels(cls_head, 'in_channels', cam_channels,
                                    'GAINMTL: cls_head', source)
        if attention_head is not None:
            attention_head = fill_in_channels(
                attention_head, 'in_channels', cam_channels,
                'GAINMTL: attention_head', source)
        if loc_head is not None:
            loc_head = dict(loc_head, neck=fill_in_channels(
                loc_head['neck'], 'in_channels', level_channels,
                'GAINMTL: loc_head.neck', 'backbone levels'))
        self.cls_head = MODELS.build(cls_head)
        num_classes = getattr(self.cls_head, 'num_classes', None)
        if num_classes is not None and not 0 <= defect_class < num_classes:
            raise ValueError(f'GAINMTL: defect_class={defect_class} is not a '
                             f'class of the {num_classes}-class cls_head')
        self.attention_head = (MODELS.build(attention_head)
                               if attention_head is not None else None)
        self.loc_head = MODELS.build(loc_head) if loc_head is not None else None
        self.cam_upsampler = MODELS.build(map_upsampler)
        self.att_upsampler = (MODELS.build(map_upsampler)
                              if attention_head is not None else None)
        self.cls_loss = MODELS.build(cls_loss)
        self.cam_guide_loss = MODELS.build(cam_guide_loss)
        self.am_loss = MODELS.build(am_loss)
        self.guide_loss = MODELS.build(guide_loss)
        self.consistency_loss = MODELS.build(consistency_loss)
        self.cf_loss = MODELS.build(cf_loss)
        self.offmask_loss = MODELS.build(offmask_loss)
        # The model owns the class indices and hands them to its augments
        # (two classes: the normal class is the other one).
        classes = dict(defect_class=defect_class,
                       normal_class=1 - defect_class if defect_class in (0, 1)
                       else 0)
        self.context_erasure = MODELS.build(dict(context_erasure, **classes))
        self.defect_transplant = MODELS.build(dict(defect_transplant,
                                                   **classes))
        if (self.context_erasure.region == 'attention'
                and self.attention_head is None):
            raise ValueError("GAINMTL: context_erasure region='attention' "
                             'needs an attention_head')
        self.gt_fusion = gt_fusion
        self.gt_fusion_alpha = float(gt_fusion_alpha)
        self.defect_class = defect_class
        if cam_evidence and num_classes not in (None, 2):
            raise ValueError('GAINMTL: cam_evidence=True needs a 2-class '
                             f'cls_head, got {num_classes} classes')
        self.cam_evidence = bool(cam_evidence)
        if composites_in_batch and self.context_erasure.region == 'attention':
            raise ValueError("GAINMTL: composites_in_batch=True composes before "
                             "the forward pass; context_erasure region='attention' "
                             'needs the attention of that pass (use extra-pass '
                             'composites)')
        self.composites_in_batch = bool(composites_in_batch)
        self.test_cfg = {**dict(with_maps=True, score_thr=0.5), **(test_cfg or {})}
        if not 0.0 <= self.test_cfg['score_thr'] <= 1.0:
            raise ValueError('GAINMTL: test_cfg.score_thr must be a defect '
                             f"probability in [0, 1], got {self.test_cfg['score_thr']}")

    @staticmethod
    def _check_weights(weights: Dict[str, float],
                       attention_head: Optional[dict],
                       loc_head: Optional[dict]) -> Dict[str, float]:
        unknown = sorted(set(weights) - set(LOSS_TERMS))
        if unknown:
            raise KeyError(f'GAINMTL: unknown loss_weights keys {unknown}; '
                           f'expected some of {list(LOSS_TERMS)}')
        full = {k: 0.0 for k in LOSS_TERMS}
        full['cls'] = 1.0
        full.update({k: float(v) for k, v in weights.items()})
        for key in _NEEDS_ATTENTION:
            if full[key] > 0 and attention_head is None:
                raise ValueError(f"GAINMTL: loss_weights['{key}']={full[key]} "
                                 'needs an attention_head (set it or the '
                                 'weight to 0)')
        for key in _NEEDS_LOC:
            if full[key] > 0 and loc_head is None:
                raise ValueError(f"GAINMTL: loss_weights['{key}']={full[key]} "
                                 'needs a loc_head (set it or the weight to 0)')
        return full

    def defect_map(self, cams: Tensor) -> Tensor:
        """The map of the defect decision, ``(N, 1, h, w)``, from the class
        maps ``(N, K, h, w)``: the defect class's CAM, or with
        ``cam_evidence`` the defect CAM minus the other class's (two classes:
        the softmax decision depends on that difference only, so a cell can
        raise the defect score by lowering the normal CAM as well as by
        raising the defect CAM; guiding the difference leaves no such way
        around the guidance)."""
        defect = cams[:, self.defect_class:self.defect_class + 1]
        if not self.cam_evidence:
            return defect
        other = 1 - self.defect_class
        return defect - cams[:, other:other + 1]

    def cam_features(self, feats: Sequence[Tensor]) -> Tensor:
        """The ``(N, C, h, w)`` features of the classifier and attention
        head: level ``cam_level`` of the backbone levels ``feats``, or of
        ``cam_neck(feats)``."""
        levels = (self.cam_neck(tuple(feats)) if self.cam_neck is not None
                  else feats)
        if not -len(levels) <= self.cam_level < len(levels):
            raise IndexError(
                f'GAINMTL: cam_level={self.cam_level} but the '
                f'{"cam_neck" if self.cam_neck is not None else "backbone"} '
                f'gives {len(levels)} levels')
        return levels[self.cam_level]

    def set_loss_weight(self, name: str, value: float) -> None:
        """Change one loss weight (used by the loss-weight scheduler hook)."""
        if name not in self.loss_weights:
            raise KeyError(f'GAINMTL: no loss weight {name!r}; expected one of '
                           f'{list(LOSS_TERMS)}')
        if value > 0 and ((name in _NEEDS_ATTENTION and
                           self.attention_head is None) or
                          (name in _NEEDS_LOC and self.loc_head is None)):
            raise ValueError(f'GAINMTL: cannot switch on loss {name!r}: the '
                             'model has no head for it')
        self.loss_weights[name] = float(value)

    # ------------------------------------------------------------------ forward
    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[MultiTaskDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, Tensor], List[MultiTaskDataSample]]:
        """``mode='loss'``: :meth:`loss`; ``'predict'``: :meth:`predict`;
        ``'tensor'``: :meth:`_forward` (what ``predict`` computes, as a dict
        of tensors: the form exporters trace)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f'GAINMTL: invalid mode {mode!r} (expected loss, '
                         'predict or tensor)')

    def _labels(self, data_samples: Sequence[MultiTaskDataSample],
                device: torch.device) -> Tensor:
        try:
            labels = [s.gt_label for s in data_samples]
        except AttributeError as exc:
            raise KeyError('GAINMTL: every training sample needs gt_label '
                           '(pack it with PackMultiTaskInputs)') from exc
        return torch.cat(labels).to(device).long()

    def _masks(self, data_samples: Sequence[MultiTaskDataSample],
               size: Tuple[int, int], device: torch.device
               ) -> Tuple[Tensor, Tensor]:
        """GT masks ``(N, 1, H, W)`` float and ``has_mask`` ``(N,)`` bool.

        A sample whose metainfo says ``has_mask=False`` (mixed supervision:
        a defect image without a pixel mask) gets a zero row and
        ``has_mask`` False; every other sample must carry ``gt_sem_seg``.
        """
        masks, has_mask = [], []
        for sample in data_samples:
            if 'gt_sem_seg' not in sample:
                if sample.metainfo.get('has_mask', True) is False:
                    masks.append(torch.zeros((1, ) + tuple(size),
                                             dtype=torch.long))
                    has_mask.append(False)
                    continue
                raise KeyError(
                    'GAINMTL: a pixel-level loss is on but sample '
                    f"{sample.metainfo.get('img_path', '?')!r} has no "
                    'gt_sem_seg (the dataset must load the defect mask, or '
                    'mark the sample has_mask=False for mixed supervision)')
            has_mask.append(True)
            mask = sample.gt_sem_seg.data
            if tuple(mask.shape[-2:]) != tuple(size):
                raise ValueError(
                    f"GAINMTL: mask of {sample.metainfo.get('img_path', '?')!r}"
                    f' has size {tuple(mask.shape[-2:])}, the network input '
                    f'{tuple(size)}: resize image and mask together')
            masks.append(mask)
        return (masks_to_float(torch.stack(masks).to(device)),
                torch.tensor(has_mask, dtype=torch.bool, device=device))

    @staticmethod
    def _on_masked(loss_fn, pred: Tensor, masks: Tensor, has_mask: Tensor):
        """``loss_fn(pred, masks)`` over the samples with a GT mask only.

        ``pred`` ``(N, 1, H, W)``; all masked: the plain call; none: a zero
        that keeps ``pred``'s graph (``loss_fn`` may return a dict of terms,
        as the localization head does)."""
        if bool(has_mask.all()):
            return loss_fn(pred, masks)
        if not bool(has_mask.any()):
            value = loss_fn(pred[:1], masks[:1])
            if isinstance(value, dict):
                return {k: v * 0.0 for k, v in value.items()}
            return value * 0.0
        return loss_fn(pred[has_mask], masks[has_mask])

    def _on(self, name: str) -> bool:
        return self.loss_weights[name] > 0

    def loss(self, inputs: Tensor,
             data_samples: List[MultiTaskDataSample]) -> Dict[str, Tensor]:
        """Weighted loss terms (see the class docstring), each ``(,)``."""
        size = tuple(inputs.shape[-2:])
        w = self.loss_weights
        labels = self._labels(data_samples, inputs.device)
        pixel_terms = ('cam_guide', 'am', 'guide', 'loc', 'consistency', 'cf',
                       'ctx_erase', 'transplant', 'offmask')
        masks = has_mask = None
        if any(self._on(k) for k in pixel_terms):
            masks, has_mask = self._masks(data_samples, size, inputs.device)
        cls_weight = None
        if self.composites_in_batch and (self._on('ctx_erase') or
                                         self._on('transplant')):
            inputs, labels, masks, has_mask, cls_weight = self._compose_in_batch(
                inputs, labels, masks, has_mask)
        is_defect = labels == self.defect_class
        defect_idx = is_defect.nonzero(as_tuple=True)[0]
        # Mixed supervision: pixel terms only where a GT mask exists; images
        # without one train the image-level terms (cls, am, cf_effect).
        pixel_labels, masked_defect_idx = labels, defect_idx
        if has_mask is not None and not bool(has_mask.all()):
            pixel_labels = torch.where(has_mask, labels, -1)
            masked_defect_idx = (is_defect & has_mask).nonzero(
                as_tuple=True)[0]

        feats = self.backbone(inputs)
        feat = self.cam_features(feats)
        logits, cams = self.cls_head(feat)
        cls_loss = (self.cls_loss(logits, labels) if cls_weight is None else
                    self.cls_loss(logits, labels, weight=cls_weight))
        losses = dict(loss_cls=w['cls'] * cls_loss)
        defect_cam = self.defect_map(cams)

        cam_up = None
        if self._on('cam_guide') or self._on('consistency'):
            cam_up = self.cam_upsampler(defect_cam, size)
        if self._on('cam_guide'):
            losses['loss_cam_guide'] = w['cam_guide'] * self._on_masked(
                self.cam_guide_loss, cam_up, masks, has_mask)
        if self._on('offmask'):
            losses['loss_offmask'] = w['offmask'] * self._on_masked(
                self.offmask_loss, defect_cam, masks, has_mask)

        att = att_up = None
        attention_region = (self._on('ctx_erase') and
                            self.context_erasure.region == 'attention')
        if self.attention_head is not None and (attention_region or any(
                self._on(k) for k in ('am', 'guide', 'consistency',
                                      'cf_effect'))):
            att = self.attention_head(feat)
            att_up = self.att_upsampler(att, size)
        if self._on('guide'):
            losses['loss_guide'] = w['guide'] * self._on_masked(
                self.guide_loss, att_up, masks, has_mask)

        loc_prob = None
        if self.loc_head is not None and (self._on('loc') or
                                          self._on('consistency')):
            loc_up = F.interpolate(self.loc_head(feats), size=size,
                                   mode='bilinear', align_corners=False)
            if self._on('loc'):
                for name, value in self._on_masked(
                        self.loc_head.loss, loc_up, masks, has_mask).items():
                    losses[name] = w['loc'] * value
            loc_prob = loc_up.sigmoid()
        if self._on('consistency'):
            weight = (is_defect & has_mask).float()
            consistency = self.consistency_loss(cam_up, loc_prob, weight)
            if att_up is not None:
                consistency = 0.5 * (consistency + self.consistency_loss(
                    att_up, loc_prob, weight))
            losses['loss_consistency'] = w['consistency'] * consistency

        if self._on('am'):
            losses['loss_am'] = w['am'] * self._attention_mining(
                inputs, att_up, loc_prob, masks, has_mask, labels,
                defect_idx)
        if self._on('cf'):
            losses['loss_cf'] = w['cf'] * self._counterfactual(
                inputs, feat, masks, labels, masked_defect_idx)
        if self._on('cf_effect'):
            attention = (minmax_normalize(att) if att is not None else
                         minmax_normalize(defect_cam).detach())
            att_logits = self.cls_head.logits_from(feat * attention)
            rand_logits = self.cls_head.logits_from(
                feat * torch.rand_like(attention))
            losses['loss_cf_effect'] = w['cf_effect'] * self.cf_loss.effect(
                att_logits, rand_logits, labels)
        composites = {}
        if self.composites_in_batch:
            return losses
        if self._on('ctx_erase'):
            region = None
            if attention_region:
                region = self.attention_head.soft_mask(self._mining_guide(
                    att_up, loc_prob, masks, has_mask,
                    torch.arange(len(labels), device=inputs.device)))
            composites['ctx_erase'] = self.context_erasure(
                inputs, masks, pixel_labels, region)
        if self._on('transplant'):
            composites['transplant'] = self.defect_transplant(
                inputs, masks, pixel_labels)
        if composites:
            losses.update(self._sufficiency(composites, logits, size))
        return losses

    def _compose_in_batch(self, inputs: Tensor, labels: Tensor, masks: Tensor,
                          has_mask: Tensor) -> Tuple[Tensor, ...]:
        """The batch with some images replaced by sufficiency composites
        (``composites_in_batch``): no extra pass, every loss term sees them.

        Each composite of :class:`ContextErasure` and :class:`DefectTransplant`
        takes the slot of the image that gives its context (``targets``;
        the positive "defect on a normal context" replaces that normal image,
        the complement "defect image's context, defect removed" replaces the
        defect image), first come first served: a composite whose slot is
        taken is dropped, as is one without a context image (blur fill).
        Their cross-entropy is weighted by their term's weight, the batch's
        own images by 1.

        Returns:
            ``(inputs (N, 3, H, W), labels (N,), masks (N, 1, H, W),
            has_mask (N,), cls_weight (N,))``.
        """
        w = self.loss_weights
        pixel_labels = torch.where(has_mask, labels, -1)
        parts = []
        if self._on('ctx_erase'):
            parts.append(('ctx_erase', self.context_erasure(inputs, masks,
                                                            pixel_labels)))
        if self._on('transplant'):
            parts.append(('transplant', self.defect_transplant(inputs, masks,
                                                               pixel_labels)))
        inputs, labels = inputs.clone(), labels.clone()
        masks, has_mask = masks.clone(), has_mask.clone()
        weight = torch.ones(len(labels), device=labels.device)
        taken = set()
        for term, batch in parts:
            for c, slot in enumerate(batch.targets.tolist()):
                if slot < 0 or slot in taken:
                    continue
                taken.add(slot)
                inputs[slot] = batch.images[c].to(inputs.dtype)
                labels[slot] = batch.labels[c]
                masks[slot] = batch.masks[c]
                has_mask[slot] = True
                weight[slot] = w[term]
        return inputs, labels, masks, has_mask, weight

    def _sufficiency(self, composites: Dict[str, CompositeBatch],
                     anchor: Tensor, size: Tuple[int, int]
                     ) -> Dict[str, Tensor]:
        """Sufficiency terms: cross-entropy (and CAM guidance) of the
        composites of each term, from one backbone pass over all of them;
        ``anchor`` (the main logits) gives the graph-attached zero of a
        term without composites."""
        w = self.loss_weights
        batch = CompositeBatch.cat(list(composites.values()))
        if batch.num_images:
            logits, cams = self.cls_head(self.cam_features(
                self.backbone(batch.images)))
        losses, start = {}, 0
        zero = anchor.sum() * 0.0
        for term, part in composites.items():
            rows = slice(start, start + part.num_images)
            start += part.num_images
            if part.num_images == 0:
                losses[f'loss_{term}'] = zero
            else:
                losses[f'loss_{term}'] = w[term] * self.cls_loss(
                    logits[rows].float(), part.labels)
            if not self._on('cam_guide'):
                continue
            if part.num_images == 0:
                losses[f'loss_{term}_cam_guide'] = zero
            else:
                cam_up = self.cam_upsampler(self.defect_map(cams[rows]), size)
                losses[f'loss_{term}_cam_guide'] = (
                    w[term] * w['cam_guide'] *
                    self.cam_guide_loss(cam_up, part.masks))
        return losses

    def fused_attention(self, att_up: Tensor,
                        loc_prob: Optional[Tensor]) -> Tensor:
        """Min-max normalised attention ``(N, 1, H, W)``, averaged with the
        detached localization probability when there is one (S4+)."""
        fused = minmax_normalize(att_up)
        if loc_prob is not None:
            fused = 0.5 * (fused + loc_prob.detach())
        return fused

    def _mining_guide(self, att_up: Tensor, loc_prob: Optional[Tensor],
                      masks: Optional[Tensor], has_mask: Optional[Tensor],
                      idx: Tensor) -> Tensor:
        """Attention-mining map ``(len(idx), 1, H, W)`` of the images
        ``idx``: the fused attention, with ``gt_fusion`` blended with the GT
        mask (``alpha * GT + (1 - alpha) * fused``) where the image has one
        (``alpha`` is 0 for an image without a mask)."""
        guide = self.fused_attention(att_up[idx], None if loc_prob is None
                                     else loc_prob[idx])
        if self.gt_fusion:
            alpha = self.gt_fusion_alpha * has_mask[idx].to(guide.dtype)
            alpha = alpha.view(-1, 1, 1, 1)
            guide = alpha * masks[idx] + (1.0 - alpha) * guide
        return guide

    def _attention_mining(self, inputs: Tensor, att_up: Tensor,
                          loc_prob: Optional[Tensor], masks: Optional[Tensor],
                          has_mask: Optional[Tensor], labels: Tensor,
                          defect_idx: Tensor) -> Tensor:
        """L_am on the defect images of the batch (0 when there is none): the
        second backbone pass runs on those images only."""
        if defect_idx.numel() == 0:
            return att_up.sum() * 0.0
        guide = self._mining_guide(att_up, loc_prob, masks, has_mask,
                                   defect_idx)
        erased = self.attention_head.erase(
            inputs[defect_idx], self.attention_head.soft_mask(guide))
        masked_logits = self.cls_head.logits_from(
            self.cam_features(self.backbone(erased)))
        return self.am_loss(masked_logits, labels[defect_idx],
                            self.defect_class)

    def _counterfactual(self, inputs: Tensor, feat: Tensor, masks: Tensor,
                        labels: Tensor, defect_idx: Tensor) -> Tensor:
        """Counterfactual term on the defect images (0 when there is none)."""
        if defect_idx.numel() == 0:
            return feat.sum() * 0.0
        if self.cf_loss.level == 'feature':
            cf_feat = self.cf_loss.suppress(feat[defect_idx],
                                            masks[defect_idx])
        else:
            cf_feat = self.cam_features(self.backbone(
                self.cf_loss.suppress(inputs[defect_idx],
                                      masks[defect_idx])))
        return self.cf_loss(self.cls_head.logits_from(cf_feat),
                            labels[defect_idx], self.defect_class)

    def _forward(self, inputs: Tensor,
                 data_samples: Optional[List[MultiTaskDataSample]] = None
                 ) -> Dict[str, Tensor]:
        """Everything :meth:`predict` computes, as tensors (``inputs`` ``(N,
        3, H, W)`` normalised; ``data_samples`` unused):

        * ``logits`` ``(N, K)`` and ``scores`` ``(N, K)`` (softmax, float32);
        * ``labels`` ``(N,)`` int64: the defect class iff
          ``scores[:, defect_class] >= test_cfg.score_thr``, else the other
          class (two classes);
        * with ``test_cfg.with_maps``: ``cam`` ``(N, 1, H, W)`` (raw upsampled
          defect CAM), ``attention`` (sigmoid of the upsampled attention, with
          an attention head) and ``loc`` (localization probability, with a
          loc head), all at the input size.
        """
        size = tuple(inputs.shape[-2:])
        feats = self.backbone(inputs)
        feat = self.cam_features(feats)
        with_maps = self.test_cfg['with_maps']
        if with_maps:
            logits, cams = self.cls_head(feat)
        else:
            logits = self.cls_head(feat, with_cam=False)
        scores = logits.float().softmax(dim=1)
        is_defect = scores[:, self.defect_class] >= self.test_cfg['score_thr']
        # Two classes: the label of a defect score under the threshold is the
        # other class (index 0 when the defect class is 1).
        out = dict(logits=logits, scores=scores,
                   labels=torch.where(is_defect, self.defect_class,
                                      1 - self.defect_class))
        if with_maps:
            out['cam'] = self.cam_upsampler(self.defect_map(cams), size)
            if self.attention_head is not None:
                out['attention'] = self.att_upsampler(
                    self.attention_head(feat), size).sigmoid()
            if self.loc_head is not None:
                out['loc'] = F.interpolate(
                    self.loc_head(feats), size=size, mode='bilinear',
                    align_corners=False).sigmoid()
        return out

    @torch.no_grad()
    def predict(self, inputs: Tensor,
                data_samples: Optional[List[MultiTaskDataSample]] = None
                ) -> List[MultiTaskDataSample]:
        """:meth:`_forward` written into the data samples: ``pred_score``,
        ``pred_label`` and (with ``test_cfg.with_maps``) ``pred_cam``,
        ``pred_attention``, ``pred_loc`` cropped to each ``img_shape``."""
        if data_samples is None:
            data_samples = [MultiTaskDataSample() for _ in range(len(inputs))]
        out = self._forward(inputs)
        size = tuple(inputs.shape[-2:])
        for i, sample in enumerate(data_samples):
            sample.pred_score = out['scores'][i]
            sample.pred_label = out['labels'][i].view(1)
            h, w = sample.metainfo.get('img_shape', size)[:2]
            for name in MAP_NAMES:
                if name in out:
                    setattr(sample, f'pred_{name}', PixelData(
                        data=out[name][i, :, :h, :w].float()))
        return data_samples
