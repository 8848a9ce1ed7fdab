"""Does the model look at the defect? Map metrics for CAM, attention and
localization outputs of GAIN-MTL.

Definitions (they vary in the literature; these are ours). All are computed on
*defect images* only: samples whose ``gt_label`` is ``defect_class`` (1 by
default; the model's ``defect_class``) and whose GT mask
``gt_sem_seg.data`` (1, H, W) has foreground. A map whose size differs from
the mask is resized to it (bilinear) first.

* Normalisation: CAM and attention maps are min-max normalised per image,
  ``M = (A - min A) / (max A - min A)``. A constant map carries no location:
  it normalises to all zeros (empty at every threshold > 0, a PointGame miss)
  and its energy is counted as uniform (Energy-Inside = GT area fraction).
* ``iou``: CAM-IoU = |{M >= t} & G| / |{M >= t} | G| at ``threshold`` t,
  averaged over images (mean of per-image IoUs).
* ``iou_best`` / ``iou_best_thr``: the same for every t in ``sweep`` (default
  0.05, 0.10, ..., 0.95); the best mean IoU and its threshold. This is an
  optimistic number (threshold picked on the evaluated set), reported beside
  the fixed-threshold one.
* ``pxap``: threshold-free pixel average precision (PxAP of Choe et al.,
  CVPR 2020): all pixels of all defect images pooled, GT pixels positive,
  score M; precision/recall at ``num_bins`` uniform thresholds, AP as the
  step sum sum_k (R_k - R_{k+1}) P_k over decreasing thresholds. Per-image
  histograms keep the memory per image at O(num_bins) and make the metric
  exact for distributed evaluation (histograms add up).
* ``point_game``: hit when the map's argmax pixel (first in raster order on
  ties) lies in the GT mask, or within ``point_tolerance`` pixels (Euclidean)
  of a GT pixel (Zhang et al. 2016 use 15 px); fraction of hits.
* ``energy_inside``: sum(M * G) / sum(M), the energy-based pointing game of
  Score-CAM (Wang et al. 2020), averaged over images. ``gt_area_fraction``,
  the mean of |G| / (H W), is its chance level (a uniform map scores it).
* ``loc_iou`` (when ``pred_loc`` is present): localization-head probabilities
  P thresholded at ``loc_threshold`` (no min-max: they are probabilities),
  IoU with G, averaged over defect images. ``loc_pxap``: PxAP of P.

Keys (with the default prefix ``cam``): ``cam/iou``, ``cam/iou_best``,
``cam/iou_best_thr``, ``cam/pxap``, ``cam/point_game``, ``cam/energy_inside``,
``cam/gt_area_fraction``, ``cam/num_images``; the same map metrics of
``pred_attention`` as ``cam/attn_iou`` ... ``cam/attn_energy_inside``; and
``cam/loc_iou``, ``cam/loc_pxap``. Optional outputs that are absent from the
predictions are left out of the result.
"""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mtl_plugin.registry import METRICS
from mtl_plugin.utils.map_normalization import minmax_normalize

MAP_FIELDS = (('cam', 'pred_cam', ''), ('attn', 'pred_attention', 'attn_'))


def _get(sample: Any, key: str) -> Any:
    """Field of a data sample given as a dict (mmengine's Evaluator converts
    samples with ``to_dict``) or as a data element."""
    if isinstance(sample, dict):
        return sample.get(key)
    return getattr(sample, key, None)


def _pixel_map(sample: Any, key: str) -> Optional[torch.Tensor]:
    field = _get(sample, key)
    if field is None:
        return None
    data = _get(field, 'data') if not isinstance(field, torch.Tensor) else field
    if data is None:
        return None
    data = torch.as_tensor(data).detach().float()
    if data.dim() == 3:
        data = data[0]
    if data.dim() != 2:
        raise ValueError(f'CAMMetric: {key} has shape {tuple(data.shape)}; '
                         'expected (1, H, W) or (H, W)')
    return data


def binary_iou(pred: torch.Tensor, gt: torch.Tensor) -> float:
    """IoU of two boolean maps (1.0 when both are empty)."""
    union = (pred | gt).sum().item()
    return 1.0 if union == 0 else (pred & gt).sum().item() / union


def point_hit(raw: torch.Tensor, gt: torch.Tensor, tolerance: float) -> bool:
    """PointGame hit of map ``raw`` (H, W) against boolean ``gt`` (H, W)."""
    if raw.max() == raw.min():
        return False
    idx = int(torch.argmax(raw.flatten()))
    y, x = divmod(idx, raw.shape[1])
    if gt[y, x]:
        return True
    if tolerance <= 0:
        return False
    ys, xs = torch.nonzero(gt, as_tuple=True)
    d2 = (ys - y).float() ** 2 + (xs - x).float() ** 2
    return bool(d2.min() <= tolerance ** 2)


def pixel_histograms(score: torch.Tensor, gt: torch.Tensor,
                     num_bins: int) -> Dict[str, np.ndarray]:
    """Histograms (``num_bins`` bins over [0, 1]) of the scores of GT-positive
    and GT-negative pixels."""
    bins = torch.clamp((score * num_bins).long(), 0, num_bins - 1).flatten()
    flat = gt.flatten()
    pos = torch.bincount(bins[flat], minlength=num_bins)
    neg = torch.bincount(bins[~flat], minlength=num_bins)
    return dict(pos=pos.cpu().numpy(), neg=neg.cpu().numpy())


def average_precision_from_histograms(pos: np.ndarray, neg: np.ndarray) -> float:
    """AP of pooled pixels from score histograms (bin k = threshold k / bins).

    Predicted positive at threshold k: every pixel in bins >= k. AP is
    sum_k (R_k - R_{k+1}) P_k over decreasing k, the step form of sklearn's
    ``average_precision_score`` (exact when scores of different pixels fall
    into different bins or are equal).
    """
    tp = np.cumsum(pos[::-1]).astype(np.float64)
    fp = np.cumsum(neg[::-1]).astype(np.float64)
    total = tp[-1]
    if total == 0:
        return float('nan')
    predicted = tp + fp
    precision = np.divide(tp, predicted, out=np.ones_like(tp), where=predicted > 0)
    recall = tp / total
    prev = np.concatenate([[0.0], recall[:-1]])
    return float(np.sum((recall - prev) * precision))


@METRICS.register_module()
class CAMMetric(BaseMetric):
    """CAM-IoU, threshold sweep, PxAP, PointGame, Energy-Inside and Loc-IoU
    (definitions in the module docstring).

    Args:
        threshold: CAM/attention threshold of ``iou`` (on min-max maps).
        sweep: thresholds of the sweep (``iou_best``).
        point_tolerance: PointGame tolerance in pixels (0: exact hit).
        loc_threshold: probability threshold of ``loc_iou``.
        num_bins: score bins of PxAP.
        defect_class: label of the defect images (the images evaluated);
            the same index as the model's ``defect_class``.
        collect_device: ``'cpu'`` or ``'gpu'`` (distributed collection).
        prefix: key prefix (default ``'cam'``).
    """

    default_prefix: Optional[str] = 'cam'

    def __init__(self,
                 threshold: float = 0.5,
                 sweep: Sequence[float] = tuple(np.round(np.arange(0.05, 1.0, 0.05), 2)),
                 point_tolerance: float = 0.0,
                 loc_threshold: float = 0.5,
                 num_bins: int = 1000,
                 defect_class: int = 1,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f'CAMMetric: threshold={threshold}; expected in (0, 1]')
        self.threshold = float(threshold)
        self.sweep = [float(t) for t in sweep]
        self.point_tolerance = float(point_tolerance)
        self.loc_threshold = float(loc_threshold)
        self.num_bins = int(num_bins)
        self.defect_class = int(defect_class)

    def _map_stats(self, raw: torch.Tensor, gt: torch.Tensor) -> Dict[str, Any]:
        norm = minmax_normalize(raw[None], eps=0.0)[0]
        total = norm.sum().item()
        energy = (norm[gt].sum().item() / total) if total > 0 \
            else gt.float().mean().item()
        return dict(
            iou=binary_iou(norm >= self.threshold, gt),
            sweep=np.array([binary_iou(norm >= t, gt) for t in self.sweep]),
            hist=pixel_histograms(norm, gt, self.num_bins),
            hit=point_hit(raw, gt, self.point_tolerance),
            energy=energy)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Store per-defect-image statistics (small arrays, no full maps)."""
        for sample in data_samples:
            label = _get(sample, 'gt_label')
            gt = _pixel_map(sample, 'gt_sem_seg')
            if (label is None or gt is None or
                    int(torch.as_tensor(label).view(-1)[0]) != self.defect_class):
                continue
            gt = gt > 0
            if not gt.any():
                continue
            result: Dict[str, Any] = dict(area=gt.float().mean().item())
            for name, key, _ in MAP_FIELDS:
                raw = _pixel_map(sample, key)
                if raw is None:
                    continue
                raw = self._resize(raw.to(gt.device), gt.shape)
                result[name] = self._map_stats(raw, gt)
            loc = _pixel_map(sample, 'pred_loc')
            if loc is not None:
                loc = self._resize(loc.to(gt.device), gt.shape).clamp(0, 1)
                result['loc'] = dict(
                    iou=binary_iou(loc >= self.loc_threshold, gt),
                    hist=pixel_histograms(loc, gt, self.num_bins))
            self.results.append(result)

    @staticmethod
    def _resize(x: torch.Tensor, shape: torch.Size) -> torch.Tensor:
        if x.shape == shape:
            return x
        return F.interpolate(x[None, None], size=tuple(shape), mode='bilinear',
                             align_corners=False)[0, 0]

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        if not results:
            MMLogger.get_current_instance().warning(
                'CAMMetric: no defect image with a GT mask was evaluated')
            return dict(num_images=0)
        metrics: Dict[str, float] = dict(
            num_images=len(results),
            gt_area_fraction=float(np.mean([r['area'] for r in results])))
        for name, _, key_prefix in MAP_FIELDS:
            stats = [r[name] for r in results if name in r]
            if not stats:
                continue
            sweep = np.mean([s['sweep'] for s in stats], axis=0)
            best = int(np.argmax(sweep))
            metrics.update({
                f'{key_prefix}iou': float(np.mean([s['iou'] for s in stats])),
                f'{key_prefix}iou_best': float(sweep[best]),
                f'{key_prefix}iou_best_thr': self.sweep[best],
                f'{key_prefix}pxap': average_precision_from_histograms(
                    sum(s['hist']['pos'] for s in stats),
                    sum(s['hist']['neg'] for s in stats)),
                f'{key_prefix}point_game': float(np.mean([s['hit'] for s in stats])),
                f'{key_prefix}energy_inside': float(np.mean([s['energy'] for s in stats])),
            })
        locs = [r['loc'] for r in results if 'loc' in r]
        if locs:
            metrics['loc_iou'] = float(np.mean([s['iou'] for s in locs]))
            metrics['loc_pxap'] = average_precision_from_histograms(
                sum(s['hist']['pos'] for s in locs), sum(s['hist']['neg'] for s in locs))
        return metrics
