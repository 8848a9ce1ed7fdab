"""IoU + centre-sampling anchor assigner with memory bounded in anchors x GT.

mmdet's :class:`MaxIoUAssigner` builds the whole ``(num_gt, num_anchors)`` IoU
matrix. On a 1333x800 shelf image with P2..P6 and 20 anchors per location
(1.8 M anchors) and 700 products that matrix alone is 5 GB in fp32, and the
IoU computation holds about ten such arrays at its peak. This assigner walks
the anchors in chunks sized to a memory budget and keeps only per-anchor and
per-GT running results: its peak is ``memory_budget_mb`` + O(anchors + GT).
"""
from typing import Optional

import torch
from mmdet.models.task_modules.assigners import AssignResult, BaseAssigner
from mmengine.structures import InstanceData
from torch import Tensor

from mtl_plugin.registry import TASK_UTILS


@TASK_UTILS.register_module()
class CenterSamplingIoUAssigner(BaseAssigner):
    """Assign each anchor to one GT box, to background, or ignore it.

    Rules, for anchors ``a`` and GT boxes ``g`` (all ``(x1, y1, x2, y2)``
    pixels):

    1. **positive** (``gt_inds = g + 1``) when ``IoU(a, g) >= pos_iou_thr``
       and the centre of ``a`` lies in the centre region of ``g``: the box of
       the same centre scaled by ``center_radius`` (``1.0`` = the whole GT,
       ``0.5`` = its middle half in each direction). Among several such GTs the
       one of highest IoU wins.
    2. **negative** (``gt_inds = 0``) when ``max_g IoU(a, g) < neg_iou_thr``.
    3. **ignored** (``gt_inds = -1``) otherwise (between the bounds, or above
       ``pos_iou_thr`` with the centre outside every region).
    4. **best-anchor rule** (``match_low_quality``): every GT whose best IoU
       is positive and ``>= min_pos_iou`` gets its best anchor(s) (all tied
       ones when ``gt_max_assign_all``) as positive, regardless of the centre
       prior, overriding 1-3; an anchor that is the best of several GTs goes
       to the GT it overlaps most (lowest index on exact ties). Zero-area GT
       boxes overlap nothing and never get an anchor.

    ``max_overlaps`` is the max IoU over all GTs (as in ``MaxIoUAssigner``).

    Memory: IoU is computed for ``chunk`` anchors at a time, with ``chunk``
    chosen so that ``chunk * num_gt * BYTES_PER_PAIR <= memory_budget_mb``
    (``BYTES_PER_PAIR`` counts the temporaries of ``bbox_overlaps`` and of the
    centre test). Results do not depend on the budget.

    Time (``spatial_prune``): a chunk is compared only with the GT boxes that
    intersect the bounding box of its anchors; every other pair has IoU 0,
    which is what the full computation would give them, so the result is
    identical. Anchors from mmdet's ``grid_priors`` are ordered per level
    row by row, so a chunk of at most ``prune_chunk`` anchors covers a thin
    horizontal band and meets a fraction of a dense shelf's products: at
    1333x800 with 700 GT this skips most of the IoU work. With anchors in
    another order the pruning is still exact, only less effective. It is off
    when ``pos_iou_thr`` is 0 (pairs of IoU 0 would then count).

    Args:
        pos_iou_thr: IoU at or above which a centred anchor is positive.
        neg_iou_thr: IoU below which an anchor is negative.
        center_radius: centre-region half-size as a fraction of the GT's half
            width / half height, in ``(0, 1]``.
        min_pos_iou: lowest IoU the best-anchor rule accepts.
        match_low_quality: apply the best-anchor rule.
        gt_max_assign_all: give a GT all anchors tied at its best IoU.
        memory_budget_mb: working memory for one chunk of the IoU matrix in
            MiB; ``None`` or ``<= 0`` computes the whole matrix at once.
        spatial_prune: skip GT boxes that cannot overlap a chunk (exact).
        prune_chunk: most anchors per chunk when pruning (smaller = thinner
            bands, more Python iterations).
        iou_calculator: config of the overlap calculator (mmdet's
            ``BboxOverlaps2D`` by default).
    """

    BYTES_PER_PAIR = 64

    def __init__(self,
                 pos_iou_thr: float = 0.3,
                 neg_iou_thr: float = 0.2,
                 center_radius: float = 0.5,
                 min_pos_iou: float = 0.0,
                 match_low_quality: bool = True,
                 gt_max_assign_all: bool = True,
                 memory_budget_mb: Optional[float] = 256.0,
                 spatial_prune: bool = True,
                 prune_chunk: int = 16384,
                 iou_calculator: dict = dict(type='BboxOverlaps2D')) -> None:
        if not 0.0 <= neg_iou_thr <= pos_iou_thr <= 1.0:
            raise ValueError(
                'CenterSamplingIoUAssigner: expected 0 <= neg_iou_thr <= '
                f'pos_iou_thr <= 1, got neg_iou_thr={neg_iou_thr}, '
                f'pos_iou_thr={pos_iou_thr}')
        if not 0.0 < center_radius <= 1.0:
            raise ValueError('CenterSamplingIoUAssigner: center_radius must '
                             f'be in (0, 1], got {center_radius}')
        self.pos_iou_thr = pos_iou_thr
        self.neg_iou_thr = neg_iou_thr
        self.center_radius = center_radius
        self.min_pos_iou = min_pos_iou
        self.match_low_quality = match_low_quality
        self.gt_max_assign_all = gt_max_assign_all
        if prune_chunk < 1:
            raise ValueError('CenterSamplingIoUAssigner: prune_chunk must be '
                             f'>= 1, got {prune_chunk}')
        self.memory_budget_mb = memory_budget_mb
        self.spatial_prune = spatial_prune
        self.prune_chunk = int(prune_chunk)
        self.iou_calculator = TASK_UTILS.build(iou_calculator)

    def chunk_size(self, num_anchors: int, num_gts: int) -> int:
        """Anchors per chunk for ``num_gts`` GT boxes under the budget."""
        if self.memory_budget_mb is None or self.memory_budget_mb <= 0:
            return max(num_anchors, 1)
        budget = int(self.memory_budget_mb * 2**20)
        return max(1, min(num_anchors,
                          budget // (max(num_gts, 1) * self.BYTES_PER_PAIR)))

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        """Assign GT boxes to ``pred_instances.priors``.

        Args:
            pred_instances: ``priors`` ``(N, 4)`` anchors.
            gt_instances: ``bboxes`` ``(K, 4)`` and ``labels`` ``(K,)``.
            gt_instances_ignore: not used (SKU-110K has no ignore regions);
                accepted for the mmdet assigner interface.

        Returns:
            AssignResult with ``gt_inds`` ``(N,)`` (0 negative, -1 ignored,
            ``k + 1`` positive for GT ``k``), ``max_overlaps`` ``(N,)`` and
            ``labels`` ``(N,)`` (-1 where not positive).
        """
        priors = pred_instances.priors
        gt_bboxes = gt_instances.bboxes
        gt_labels = gt_instances.labels
        num_anchors, num_gts = priors.size(0), gt_bboxes.size(0)

        gt_inds = priors.new_full((num_anchors, ), -1, dtype=torch.long)
        max_overlaps = priors.new_zeros((num_anchors, ), dtype=torch.float32)
        labels = priors.new_full((num_anchors, ), -1, dtype=torch.long)
        if num_gts == 0 or num_anchors == 0:
            gt_inds.zero_()
            return AssignResult(num_gts, gt_inds, max_overlaps, labels=labels)

        gt_bboxes = gt_bboxes.to(priors.dtype)
        gt_ctr = (gt_bboxes[:, :2] + gt_bboxes[:, 2:]) / 2
        half = (gt_bboxes[:, 2:] - gt_bboxes[:, :2]) / 2 * self.center_radius
        region_lo, region_hi = gt_ctr - half, gt_ctr + half  # (K, 2) each
        anchor_ctr = (priors[:, :2] + priors[:, 2:]) / 2  # (N, 2)

        gt_best = priors.new_full((num_gts, ), -1.0, dtype=torch.float32)
        cand_anchor, cand_gt, cand_iou = [], [], []
        prune = self.spatial_prune and self.pos_iou_thr > 0
        chunk = self.chunk_size(num_anchors, num_gts)
        if prune:
            chunk = min(chunk, self.prune_chunk)
        for start in range(0, num_anchors, chunk):
            end = min(start + chunk, num_anchors)
            chunk_priors = priors[start:end]
            # sel: global indices (ascending) of the GTs this chunk can meet.
            sel = (self._overlapping_gts(chunk_priors, gt_bboxes) if prune
                   else None)
            if sel is not None and sel.numel() == 0:
                # Every pair has IoU 0: max 0, negative below neg_iou_thr.
                gt_inds[start:end] = 0 if self.neg_iou_thr > 0 else -1
                continue
            sub_gts = gt_bboxes if sel is None else gt_bboxes[sel]
            ious = self.iou_calculator(chunk_priors, sub_gts).float()
            chunk_max, _ = ious.max(dim=1)
            max_overlaps[start:end] = chunk_max
            gt_inds[start:end] = torch.where(
                chunk_max < self.neg_iou_thr, 0, -1)

            if self.match_low_quality:
                # Keep this chunk's per-GT maxima that may be the global ones;
                # stale candidates are filtered once the global maxima are
                # known. IoU 0 ties with every non-overlapping anchor: never a
                # match. Only GTs overlapping this chunk's anchors qualify,
                # so the tie search runs on few columns.
                col_max, col_arg = ious.max(dim=0)
                best_sofar = gt_best if sel is None else gt_best[sel]
                cols = ((col_max >= best_sofar) & (col_max > 0)).nonzero(
                    as_tuple=True)[0]
                gcols = cols if sel is None else sel[cols]
                if self.gt_max_assign_all:
                    rows, k = (ious[:, cols] == col_max[cols]).nonzero(
                        as_tuple=True)
                    cand_anchor.append(rows + start)
                    cand_gt.append(gcols[k])
                    cand_iou.append(col_max[cols][k])
                else:
                    cand_anchor.append(col_arg[cols] + start)
                    cand_gt.append(gcols)
                    cand_iou.append(col_max[cols])
                if sel is None:
                    gt_best = torch.maximum(gt_best, col_max)
                else:
                    gt_best[sel] = torch.maximum(best_sofar, col_max)

            # Positives: test the centre prior on the (sparse) pairs above
            # the IoU threshold only, then keep each anchor's best centred GT
            # (lowest GT index on exact ties, as argmax would).
            rows, cols = (ious >= self.pos_iou_thr).nonzero(as_tuple=True)
            vals = ious[rows, cols]
            del ious
            if sel is not None:
                cols = sel[cols]  # ascending: ties still go to the lowest GT
            ctr = anchor_ctr[rows + start]
            centred = ((ctr >= region_lo[cols])
                       & (ctr <= region_hi[cols])).all(dim=1)
            rows, cols, vals = rows[centred], cols[centred], vals[centred]
            best = vals.new_full((end - start, ), -1.0).scatter_reduce(
                0, rows, vals, reduce='amax')
            top = vals == best[rows]
            winner = cols.new_full((end - start, ), num_gts).scatter_reduce(
                0, rows[top], cols[top], reduce='amin')
            pos = winner < num_gts
            gt_inds[start:end][pos] = winner[pos] + 1

        if self.match_low_quality and cand_anchor:
            self._assign_best_anchors(gt_inds, gt_best, torch.cat(cand_anchor),
                                      torch.cat(cand_gt), torch.cat(cand_iou))

        pos = gt_inds > 0
        labels[pos] = gt_labels[gt_inds[pos] - 1].long()
        return AssignResult(num_gts, gt_inds, max_overlaps, labels=labels)

    @staticmethod
    def _overlapping_gts(priors: Tensor, gt_bboxes: Tensor) -> Tensor:
        """Indices ``(k,)``, ascending, of the GT boxes ``(K, 4)`` that
        intersect the bounding box of ``priors`` ``(n, 4)`` with positive area
        (boxes that only touch it have IoU 0 with every prior)."""
        x1, y1 = priors[:, 0].min(), priors[:, 1].min()
        x2, y2 = priors[:, 2].max(), priors[:, 3].max()
        hit = ((gt_bboxes[:, 0] < x2) & (gt_bboxes[:, 2] > x1)
               & (gt_bboxes[:, 1] < y2) & (gt_bboxes[:, 3] > y1))
        return hit.nonzero(as_tuple=True)[0]

    def _assign_best_anchors(self, gt_inds: Tensor, gt_best: Tensor,
                             anchor_idx: Tensor, gt_idx: Tensor,
                             iou: Tensor) -> None:
        """Best-anchor rule (rule 4) on candidate ``(anchor, gt, iou)`` triples.

        Modifies ``gt_inds`` ``(N,)`` in place. ``gt_best`` ``(K,)`` holds each
        GT's global max IoU; candidates below it are stale and dropped.
        """
        best = gt_best[gt_idx]
        keep = (iou == best) & (best > 0) & (best >= self.min_pos_iou)
        anchor_idx, gt_idx, iou = anchor_idx[keep], gt_idx[keep], iou[keep]
        if anchor_idx.numel() == 0:
            return
        num_anchors = gt_inds.numel()
        if not self.gt_max_assign_all:
            # One anchor per GT: the lowest index among those tied at its
            # best IoU, whichever chunks they were found in.
            first = anchor_idx.new_full((gt_best.numel(), ), num_anchors)
            first = first.scatter_reduce(0, gt_idx, anchor_idx, reduce='amin')
            keep = anchor_idx == first[gt_idx]
            anchor_idx, gt_idx, iou = anchor_idx[keep], gt_idx[keep], iou[keep]
        # An anchor claimed by several GTs goes to the one it overlaps most.
        anchor_top = iou.new_full((num_anchors, ), -1.0).scatter_reduce(
            0, anchor_idx, iou, reduce='amax')
        top = iou == anchor_top[anchor_idx]
        anchor_idx, gt_idx = anchor_idx[top], gt_idx[top]
        winner = gt_idx.new_full((num_anchors, ), gt_best.numel()).scatter_reduce(
            0, anchor_idx, gt_idx, reduce='amin')
        gt_inds[anchor_idx] = winner[anchor_idx] + 1
