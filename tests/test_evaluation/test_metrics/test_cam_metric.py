import math

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.structures import PixelData

from mtl_plugin.evaluation.metrics import CAMMetric
from mtl_plugin.evaluation.metrics.cam_metric import average_precision_from_histograms
from mtl_plugin.structures import MultiTaskDataSample


def _gt():
    gt = torch.zeros(1, 4, 4, dtype=torch.long)
    gt[0, :2, :2] = 1  # 4 of 16 pixels
    return gt


def _cam():
    cam = torch.zeros(4, 4)
    cam[0, 0] = cam[0, 1] = 1.0  # inside
    cam[1, 0] = 0.5  # inside
    cam[2, 2] = 1.0  # outside
    return cam


def _sample(label=1, gt=None, **maps):
    s = MultiTaskDataSample()
    s.gt_label = torch.tensor([label])
    s.gt_sem_seg = PixelData(data=_gt() if gt is None else gt)
    for key, value in maps.items():
        setattr(s, key, PixelData(data=value[None]))
    return s


def _run(metric, samples):
    metric.process({}, [s.to_dict() for s in samples])
    return metric.compute_metrics(metric.results)


def test_known_values_on_hand_made_map():
    m = _run(CAMMetric(threshold=0.5), [_sample(pred_cam=_cam())])
    # {M >= .5}: 3 GT pixels + 1 outside -> IoU 3 / 5
    assert m['iou'] == pytest.approx(0.6)
    assert m['point_game'] == 1.0  # argmax (first in raster order) = (0, 0)
    assert m['energy_inside'] == pytest.approx(2.5 / 3.5)
    assert m['gt_area_fraction'] == pytest.approx(0.25)
    # PR points (P, R): (2/3, .5), (3/4, .75), (4/16, 1)
    assert m['pxap'] == pytest.approx(0.5 * 2 / 3 + 0.25 * 0.75 + 0.25 * 0.25)
    # sweep: t <= .5 -> 0.6, t > .5 -> 2 / 5
    assert m['iou_best'] == pytest.approx(0.6)
    assert m['iou_best_thr'] == pytest.approx(0.05)
    assert m['num_images'] == 1
    assert not any(k.startswith(('attn_', 'loc_')) for k in m)
    m = _run(CAMMetric(threshold=0.75), [_sample(pred_cam=_cam())])
    assert m['iou'] == pytest.approx(0.4)


def test_defect_class_selects_the_evaluated_images():
    defect_is_zero = [_sample(label=0, pred_cam=_cam()),
                      _sample(label=1, pred_cam=torch.ones(4, 4))]
    m = _run(CAMMetric(defect_class=0), defect_is_zero)
    # only the label-0 image counts: the known values of the hand-made map
    assert m['num_images'] == 1 and m['iou'] == pytest.approx(0.6)
    assert _run(CAMMetric(), defect_is_zero)['iou'] == pytest.approx(0.0)


def test_normalisation_is_per_image_and_scale_free():
    shifted = _run(CAMMetric(), [_sample(pred_cam=_cam() * 7 - 3)])
    plain = _run(CAMMetric(), [_sample(pred_cam=_cam())])
    for k in ('iou', 'pxap', 'energy_inside', 'point_game'):
        assert shifted[k] == pytest.approx(plain[k])


def test_constant_map_and_normal_images():
    m = _run(CAMMetric(), [
        _sample(pred_cam=torch.full((4, 4), 0.3)),
        _sample(label=0, gt=torch.zeros(1, 4, 4, dtype=torch.long),
                pred_cam=torch.rand(4, 4)),  # normal image: not counted
    ])
    assert m['num_images'] == 1
    assert m['iou'] == 0.0 and m['point_game'] == 0.0
    assert m['energy_inside'] == pytest.approx(0.25)  # chance = area fraction


def test_point_game_tolerance():
    cam = torch.zeros(4, 4)
    cam[3, 3] = 1.0  # nearest GT pixel (1, 1) at distance sqrt(8) = 2.83
    assert _run(CAMMetric(), [_sample(pred_cam=cam)])['point_game'] == 0.0
    assert _run(CAMMetric(point_tolerance=2), [_sample(pred_cam=cam)])['point_game'] == 0.0
    assert _run(CAMMetric(point_tolerance=3), [_sample(pred_cam=cam)])['point_game'] == 1.0


def test_attention_and_loc_keys_and_resizing():
    low = torch.tensor([[1.0, 0.0], [0.0, 0.0]])  # bilinear to 4x4: top-left 2x2 >= .5
    loc = _gt()[0].float() * 0.9
    loc[3, 3] = 0.6
    m = _run(CAMMetric(), [_sample(pred_cam=_cam(), pred_attention=low, pred_loc=loc)])
    assert m['attn_iou'] == pytest.approx(1.0)
    assert m['attn_point_game'] == 1.0
    assert m['iou'] == pytest.approx(0.6)
    assert m['loc_iou'] == pytest.approx(4 / 5)
    # loc scores: GT pixels .9, one negative .6, the rest 0 -> perfect ranking
    assert m['loc_pxap'] == pytest.approx(1.0)


def test_pxap_matches_brute_force_reference():
    torch.manual_seed(0)
    scores = torch.rand(200).round(decimals=2)
    labels = torch.rand(200) < 0.3
    # reference: sklearn-style AP over the distinct thresholds
    ap, prev_r = 0.0, 0.0
    for t in sorted(set(scores.tolist()), reverse=True):
        sel = scores >= t
        tp = (sel & labels).sum().item()
        r = tp / labels.sum().item()
        ap += (r - prev_r) * tp / sel.sum().item()
        prev_r = r
    bins = torch.clamp((scores * 1000).long(), 0, 999)
    pos = torch.bincount(bins[labels], minlength=1000).numpy()
    neg = torch.bincount(bins[~labels], minlength=1000).numpy()
    assert average_precision_from_histograms(pos, neg) == pytest.approx(ap)


def test_in_evaluator_with_prefix_and_no_defect_image():
    ev = Evaluator([CAMMetric(prefix='cam')])
    ev.process([_sample(pred_cam=_cam()), _sample(pred_cam=_cam())])
    out = ev.evaluate(2)
    assert out['cam/iou'] == pytest.approx(0.6) and out['cam/num_images'] == 2
    ev = Evaluator([CAMMetric()])
    ev.process([_sample(label=0, gt=torch.zeros(1, 4, 4, dtype=torch.long),
                        pred_cam=_cam())])
    assert ev.evaluate(1) == {'cam/num_images': 0}


def test_bad_threshold():
    with pytest.raises(ValueError, match='threshold'):
        CAMMetric(threshold=0.0)
    assert math.isnan(average_precision_from_histograms(
        torch.zeros(3).numpy(), torch.ones(3).numpy()))


def test_rank_results_merge_like_distributed_collection():
    """mmengine concatenates the ranks' ``results`` lists before
    ``compute_metrics``; per-image statistics make that exact."""
    torch.manual_seed(1)
    samples = [_sample(pred_cam=torch.rand(4, 4), pred_loc=torch.rand(4, 4))
               for _ in range(6)]
    whole = _run(CAMMetric(), samples)
    rank0, rank1 = CAMMetric(), CAMMetric()
    rank0.process({}, [s.to_dict() for s in samples[:3]])
    rank1.process({}, [s.to_dict() for s in samples[3:]])
    merged = CAMMetric().compute_metrics(rank0.results + rank1.results)
    assert merged.keys() == whole.keys()
    for k in whole:
        assert merged[k] == pytest.approx(whole[k])
