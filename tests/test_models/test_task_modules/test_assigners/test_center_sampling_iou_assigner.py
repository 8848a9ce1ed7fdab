import mtl_plugin  # noqa: F401,I001  (compat fixes before mmdet imports)
import pytest
import torch
from mmdet.models.task_modules.assigners import MaxIoUAssigner
from mmengine.structures import InstanceData

from mtl_plugin.models.task_modules import (CenterSamplingIoUAssigner,
                                            DenseAnchorGenerator)
from mtl_plugin.registry import TASK_UTILS


def _assign(assigner, anchors, gts, labels=None):
    pred = InstanceData(priors=torch.tensor(anchors, dtype=torch.float32))
    gt = InstanceData(
        bboxes=torch.tensor(gts, dtype=torch.float32).view(-1, 4),
        labels=torch.tensor(labels if labels is not None else [0] * len(gts),
                            dtype=torch.long))
    return assigner.assign(pred, gt)


def test_registered_and_validates_arguments():
    a = TASK_UTILS.build(dict(type='CenterSamplingIoUAssigner'))
    assert isinstance(a, CenterSamplingIoUAssigner)
    with pytest.raises(ValueError, match='neg_iou_thr'):
        CenterSamplingIoUAssigner(pos_iou_thr=0.3, neg_iou_thr=0.4)
    with pytest.raises(ValueError, match='center_radius'):
        CenterSamplingIoUAssigner(center_radius=0)


def test_iou_threshold_and_negative_bound():
    # GT 0..10 x 0..10 (area 100). Anchors (all centred inside the GT region
    # of radius 1): IoU 1.0, 0.4 (0..10 x 0..4 -> 40/100), 0.25, 0.1,
    # and one far away (IoU 0).
    assigner = CenterSamplingIoUAssigner(pos_iou_thr=0.3, neg_iou_thr=0.2,
                                         center_radius=1.0,
                                         match_low_quality=False)
    anchors = [[0, 0, 10, 10], [0, 3, 10, 7], [0, 0, 10, 2.5],
               [0, 4.5, 10, 5.5], [50, 50, 60, 60]]
    res = _assign(assigner, anchors, [[0, 0, 10, 10]], labels=[3])
    torch.testing.assert_close(res.max_overlaps,
                               torch.tensor([1.0, 0.4, 0.25, 0.1, 0.0]))
    assert res.gt_inds.tolist() == [1, 1, -1, 0, 0]
    assert res.labels.tolist() == [3, 3, -1, -1, -1]


def test_center_prior_rejects_off_centre_anchor():
    # Anchor 0..10 x 0..16 vs GT 0..10 x 0..10: IoU 100/160 = 0.625, anchor
    # centre y=8; GT centre y=5, half height 5.
    anchors = [[0, 0, 10, 16]]
    gts = [[0, 0, 10, 10]]
    loose = CenterSamplingIoUAssigner(center_radius=1.0,
                                      match_low_quality=False)
    tight = CenterSamplingIoUAssigner(center_radius=0.5,
                                      match_low_quality=False)
    assert _assign(loose, anchors, gts).gt_inds.tolist() == [1]  # 8 <= 10
    assert _assign(tight, anchors, gts).gt_inds.tolist() == [-1]  # 8 > 7.5


def test_centre_region_decides_between_overlapping_gts():
    # Anchor 5..15 x 0..10 (centre x=10). GT A 0..30 (IoU 1/3, centre 15),
    # GT B 8..20 (IoU 0.467, centre 14). Radius 1: both regions hold x=10 and
    # B's higher IoU wins. Radius 0.5: B's region is 11..17, so only A is
    # centred and it wins although its IoU is lower.
    anchors = [[5, 0, 15, 10]]
    gts = [[0, 0, 30, 10], [8, 0, 20, 10]]
    r1 = CenterSamplingIoUAssigner(center_radius=1.0, match_low_quality=False)
    r05 = CenterSamplingIoUAssigner(center_radius=0.5,
                                    match_low_quality=False)
    assert _assign(r1, anchors, gts).gt_inds.tolist() == [2]
    assert _assign(r05, anchors, gts).gt_inds.tolist() == [1]


def test_best_anchor_rule_keeps_every_gt():
    # The only anchor overlapping GT 1 has IoU 0.1 < neg_iou_thr: without the
    # rule the GT has no positive; with it, that anchor is positive.
    anchors = [[0, 0, 10, 10], [20, 0, 30, 10]]
    gts = [[0, 0, 10, 10], [29, 0, 39, 10]]
    off = CenterSamplingIoUAssigner(match_low_quality=False)
    on = CenterSamplingIoUAssigner(match_low_quality=True)
    assert _assign(off, anchors, gts).gt_inds.tolist() == [1, 0]
    assert _assign(on, anchors, gts).gt_inds.tolist() == [1, 2]
    # min_pos_iou bars such low-quality matches.
    strict = CenterSamplingIoUAssigner(min_pos_iou=0.2)
    assert _assign(strict, anchors, gts).gt_inds.tolist() == [1, 0]


def test_best_anchor_shared_by_two_gts_goes_to_higher_iou():
    # One anchor is the best (and only) match of both GTs: it goes to GT 0
    # (IoU 0.5) rather than GT 1 (IoU 0.25).
    a = CenterSamplingIoUAssigner(pos_iou_thr=0.9, neg_iou_thr=0.1)
    res = _assign(a, [[0, 0, 10, 10], [100, 100, 110, 110]],
                  [[0, 0, 10, 5], [0, 0, 10, 2.5]])
    assert res.gt_inds.tolist() == [1, 0]


def test_empty_gt_all_negative():
    a = CenterSamplingIoUAssigner()
    res = _assign(a, [[0, 0, 10, 10], [5, 5, 8, 8]], [])
    assert res.num_gts == 0
    assert res.gt_inds.tolist() == [0, 0]
    assert res.labels.tolist() == [-1, -1]


def test_degenerate_gt_boxes_never_matched():
    # Zero-width and zero-area GTs lie on anchors but overlap nothing.
    a = CenterSamplingIoUAssigner(center_radius=1.0)
    res = _assign(a, [[0, 0, 10, 10], [20, 20, 30, 30]],
                  [[5, 0, 5, 10], [25, 25, 25, 25], [20, 20, 30, 30]])
    assert res.gt_inds.tolist() == [0, 3]


def test_chunked_equals_unchunked_on_dense_scene():
    torch.manual_seed(0)
    gen = DenseAnchorGenerator()
    anchors = torch.cat(gen.grid_priors(
        [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2)], device='cpu'))
    xy = torch.rand(120, 2) * 110
    wh = torch.rand(120, 2) * 25 + 3
    gts = torch.cat([xy, xy + wh], 1)
    gts = torch.cat([gts, gts[:5]])  # duplicates create exact ties
    labels = torch.zeros(len(gts), dtype=torch.long)
    pred = InstanceData(priors=anchors)
    gt = InstanceData(bboxes=gts, labels=labels)
    whole = CenterSamplingIoUAssigner(memory_budget_mb=None,
                                      spatial_prune=False)
    chunked = CenterSamplingIoUAssigner(memory_budget_mb=2,
                                        spatial_prune=False)
    assert chunked.chunk_size(len(anchors), len(gts)) < len(anchors) // 10
    r1, r2 = whole.assign(pred, gt), chunked.assign(pred, gt)
    assert torch.equal(r1.gt_inds, r2.gt_inds)
    assert torch.equal(r1.max_overlaps, r2.max_overlaps)
    assert torch.equal(r1.labels, r2.labels)
    assert (r1.gt_inds > 0).sum() > 100
    # Exact duplicates tie everywhere: the lower index keeps the anchors.
    owners = set((r1.gt_inds[r1.gt_inds > 0] - 1).tolist())
    assert not owners & set(range(120, 125))


def test_matches_max_iou_assigner_without_centre_prior():
    # centre_radius=1 and pos == neg threshold reduce to MaxIoUAssigner except
    # for anchors centred outside their best GT (rare for IoU >= 0.5).
    torch.manual_seed(1)
    gen = DenseAnchorGenerator()
    anchors = torch.cat(gen.grid_priors(
        [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1)], device='cpu'))
    xy = torch.rand(30, 2) * 40
    gts = torch.cat([xy, xy + torch.rand(30, 2) * 20 + 4], 1)
    pred = InstanceData(priors=anchors)
    gt = InstanceData(bboxes=gts, labels=torch.zeros(30, dtype=torch.long))
    ours = CenterSamplingIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.4,
                                     center_radius=1.0,
                                     memory_budget_mb=0.5).assign(pred, gt)
    ref = MaxIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.4).assign(pred, gt)
    torch.testing.assert_close(ours.max_overlaps, ref.max_overlaps)
    assert torch.equal(ours.gt_inds == 0, ref.gt_inds == 0)
    agree = (ours.gt_inds == ref.gt_inds).float().mean()
    assert agree > 0.999


def _shelf_scene(seed):
    """Packed rows of products on a 128x128 image, plus duplicates, boxes
    touching each other exactly, zero-width / zero-area boxes and a box
    covering the whole image; anchors of P2..P6 from DenseAnchorGenerator."""
    g = torch.Generator().manual_seed(seed)
    boxes = []
    y = 0.0
    while y < 120:
        h = float(torch.randint(8, 24, (1, ), generator=g))
        x = 0.0
        while x < 120:
            w = float(torch.randint(5, 20, (1, ), generator=g))
            boxes.append([x, y, x + w, y + h])  # touches its neighbour
            x += w
        y += h
    gts = torch.tensor(boxes)
    extra = torch.tensor([[40., 40., 40., 60.], [70., 70., 70., 70.],
                          [0., 0., 128., 128.]])
    gts = torch.cat([gts, gts[:4], extra])
    anchors = torch.cat(DenseAnchorGenerator().grid_priors(
        [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2)], device='cpu'))
    return anchors, gts


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(gt_max_assign_all=False),
    dict(center_radius=1.0, pos_iou_thr=0.5, neg_iou_thr=0.4),
    dict(neg_iou_thr=0.0),
    dict(match_low_quality=False),
])
def test_spatial_pruning_is_exact(kwargs):
    anchors, gts = _shelf_scene(0)
    gt = InstanceData(bboxes=gts, labels=torch.zeros(len(gts),
                                                     dtype=torch.long))
    ref = CenterSamplingIoUAssigner(memory_budget_mb=None, spatial_prune=False,
                                    **kwargs).assign(
                                        InstanceData(priors=anchors), gt)
    assert (ref.gt_inds > 0).sum() > 50
    perm = torch.randperm(len(anchors), generator=torch.Generator().manual_seed(1))
    for prune_chunk in (61, 4096, 10**9):
        a = CenterSamplingIoUAssigner(prune_chunk=prune_chunk, **kwargs)
        res = a.assign(InstanceData(priors=anchors), gt)
        assert torch.equal(res.gt_inds, ref.gt_inds), prune_chunk
        assert torch.equal(res.max_overlaps, ref.max_overlaps), prune_chunk
        assert torch.equal(res.labels, ref.labels), prune_chunk
    # Anchors in any order: still exact (only slower); with one best anchor
    # per GT, exact ties go to the lowest anchor index, which a permutation
    # changes, so compare against the unpruned result on the same order.
    shuffled = InstanceData(priors=anchors[perm])
    res = CenterSamplingIoUAssigner(prune_chunk=500, **kwargs).assign(
        shuffled, gt)
    ref_perm = CenterSamplingIoUAssigner(
        memory_budget_mb=None, spatial_prune=False, **kwargs).assign(
            shuffled, gt)
    assert torch.equal(res.gt_inds, ref_perm.gt_inds)
    assert torch.equal(res.max_overlaps, ref.max_overlaps[perm])
    if kwargs.get('gt_max_assign_all', True):
        assert torch.equal(res.gt_inds, ref.gt_inds[perm])


def test_spatial_pruning_skips_far_gts():
    anchors, gts = _shelf_scene(0)
    a = CenterSamplingIoUAssigner()
    band = anchors[:640]  # the first row of P2 (32 x 20 anchors): the top band
    sel = a._overlapping_gts(band, gts)
    assert 0 < len(sel) < len(gts) // 2
    assert torch.equal(sel, sel.sort().values)
    with pytest.raises(ValueError, match='prune_chunk'):
        CenterSamplingIoUAssigner(prune_chunk=0)


def test_gts_away_from_every_anchor():
    """All chunks pruned: every anchor negative, no GT matched, no error."""
    anchors = [[0, 0, 10, 10], [10, 0, 20, 10]]
    res = _assign(CenterSamplingIoUAssigner(), anchors,
                  [[100, 100, 120, 120], [10, 10, 20, 20]])  # 2nd only touches
    assert res.gt_inds.tolist() == [0, 0]
    assert res.max_overlaps.tolist() == [0.0, 0.0]
