"""Reference of :class:`CAMMetric`'s map metrics in numpy: CAM-IoU at a
threshold, PointGame and Energy-Inside on per-image min-max normalised maps,
over the defect images."""
from typing import Dict, List

import numpy as np


def numpy_cam(maps: List[np.ndarray], masks: List[np.ndarray],
              labels: List[int], defect_class: int, threshold: float,
              point_tolerance: float) -> Dict[str, float]:
    """CAM metrics over the images whose label is ``defect_class`` and whose
    mask has foreground (the others are not scored).

    Per image, the map ``A`` becomes ``M = (A - min) / (max - min)`` (zeros
    when constant); ``iou`` = IoU of ``M >= threshold`` with the mask;
    ``point_game``: the first maximum of ``A`` (raster order) lies in the
    mask or within ``point_tolerance`` pixels of a mask pixel (a constant
    map misses); ``energy_inside`` = sum(M * G) / sum(M) (the mask's area
    fraction when M is all zero); ``gt_area_fraction`` = mean |G| / (H W).
    All are means over the scored images.

    Args:
        maps: ``(H, W)`` float maps at mask size.
        masks: ``(H, W)`` masks (foreground > 0).
        labels: image labels.
        defect_class: label of the scored images.
        threshold: CAM-IoU threshold on the normalised map.
        point_tolerance: PointGame tolerance (pixels).
    """
    ious, hits, energies, areas = [], [], [], []
    for a, g, label in zip(maps, masks, labels):
        g = g > 0
        if label != defect_class or not g.any():
            continue
        a = a.astype(np.float64)
        span = a.max() - a.min()
        m = (a - a.min()) / span if span > 0 else np.zeros_like(a)
        on = m >= threshold
        union = np.sum(on | g)
        ious.append(np.sum(on & g) / union if union else 1.0)
        if span > 0:
            y, x = np.unravel_index(int(np.argmax(a)), a.shape)
            ys, xs = np.nonzero(g)
            hits.append(float(np.min((ys - y) ** 2 + (xs - x) ** 2)
                              <= point_tolerance ** 2))
        else:
            hits.append(0.0)
        energies.append(m[g].sum() / m.sum() if m.sum() > 0 else g.mean())
        areas.append(g.mean())
    return dict(iou=float(np.mean(ious)), point_game=float(np.mean(hits)),
                energy_inside=float(np.mean(energies)),
                gt_area_fraction=float(np.mean(areas)), num_images=len(ious))
