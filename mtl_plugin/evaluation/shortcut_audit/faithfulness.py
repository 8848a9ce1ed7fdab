"""Deletion and insertion curves of a saliency map (Petsiuk et al. 2018, RISE).

Does the map rank the pixels the model's score depends on first? Pixels are
ordered by decreasing saliency (ties in random order). With ``P = H * W``
pixels and ``S`` steps, step ``k`` (``k = 0 .. S``) touches the first
``round(k * P / S)`` pixels of the order:

* deletion: the image with those pixels *removed*, i.e. replaced by the
  same pixels of the baseline image (:func:`removal_baseline`: a Gaussian
  blur of the image, or its per-channel mean); step 0 is the image, step
  ``S`` the baseline. A faithful map makes the score fall fast: low area.
* insertion: the baseline with those pixels put back from the image; step 0
  is the baseline, step ``S`` the image. A faithful map makes the score rise
  fast: high area.

The area under a curve is the trapezoid rule over the fraction of pixels
``k / S`` in [0, 1] (:func:`curve_auc`); the random baseline is the same
curves for uniformly random pixel orders. A map is better than random when
``deletion_auc < deletion_auc_random`` and ``insertion_auc >
insertion_auc_random``.
"""
from typing import Callable, Dict, Optional

import cv2
import numpy as np

#: ``score_fn(images (M, H, W, C) uint8) -> (M,)`` defect scores.
ScoreFn = Callable[[np.ndarray], np.ndarray]


def removal_baseline(image: np.ndarray, kind: str,
                     sigma: Optional[float] = None) -> np.ndarray:
    """What removed pixels become, ``(H, W, C)`` uint8.

    ``'blur'``: ``image`` blurred by a Gaussian of ``sigma`` px (default
    ``max(H, W) / 16``; borders reflected). ``'mean'``: every pixel the
    image's per-channel mean (rounded).
    """
    if kind == 'mean':
        mean = np.rint(image.reshape(-1, image.shape[-1]).mean(axis=0))
        return np.broadcast_to(mean, image.shape).astype(np.uint8)
    if kind != 'blur':
        raise ValueError(f'removal_baseline: kind={kind!r}; expected "blur" or "mean"')
    sigma = float(sigma) if sigma is not None else max(image.shape[:2]) / 16.0
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma,
                               borderType=cv2.BORDER_REFLECT_101)
    return blurred.reshape(image.shape)


def pixel_order(saliency: np.ndarray,
                rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Flat pixel indices ``(H * W,)`` by decreasing ``saliency`` ``(H, W)``;
    ties in random order with ``rng`` (in raster order without one)."""
    flat = np.asarray(saliency, dtype=np.float64).reshape(-1)
    tie_break = rng.random(flat.size) if rng is not None else np.arange(flat.size)
    # lexsort sorts by the last key first
    return np.lexsort((tie_break, -flat))


def curve_images(image: np.ndarray, baseline: np.ndarray, order: np.ndarray,
                 num_steps: int, mode: str) -> np.ndarray:
    """The ``num_steps + 1`` images of one curve, ``(S + 1, H, W, C)``.

    Args:
        image: ``(H, W, C)`` uint8 image.
        baseline: ``(H, W, C)`` uint8, what removed pixels become.
        order: ``(H * W,)`` flat pixel indices, most salient first.
        num_steps: ``S``.
        mode: ``'deletion'`` (start from the image, remove pixels in order)
            or ``'insertion'`` (start from the baseline, insert them).
    """
    if mode not in ('deletion', 'insertion'):
        raise ValueError(f'curve_images: mode={mode!r}; expected "deletion" or '
                         '"insertion"')
    if image.shape != baseline.shape:
        raise ValueError(f'curve_images: image {image.shape} and baseline '
                         f'{baseline.shape} differ in shape')
    height, width, channels = image.shape
    num_pixels = height * width
    if order.shape != (num_pixels, ):
        raise ValueError(f'curve_images: order has shape {order.shape}; expected '
                         f'({num_pixels},), one index per pixel')
    start, end = (image, baseline) if mode == 'deletion' else (baseline, image)
    start = start.reshape(num_pixels, channels)
    end = end.reshape(num_pixels, channels)
    frames = np.empty((num_steps + 1, num_pixels, channels), np.uint8)
    for k in range(num_steps + 1):
        count = int(round(k * num_pixels / num_steps))
        frame = start.copy()
        frame[order[:count]] = end[order[:count]]
        frames[k] = frame
    return frames.reshape(num_steps + 1, height, width, channels)


def curve_auc(curve: np.ndarray) -> float:
    """Trapezoid area of ``curve`` ``(S + 1,)`` sampled at ``k / S``."""
    curve = np.asarray(curve, dtype=np.float64)
    if curve.ndim != 1 or curve.size < 2:
        raise ValueError(f'curve_auc: expected a curve of >= 2 points, got shape '
                         f'{curve.shape}')
    return float(((curve[1:] + curve[:-1]) / 2.0).mean())


def faithfulness_curves(score_fn: ScoreFn, image: np.ndarray, saliency: np.ndarray,
                        baseline: np.ndarray, num_steps: int = 16,
                        num_random: int = 1,
                        rng: Optional[np.random.Generator] = None
                        ) -> Dict[str, np.ndarray]:
    """Deletion and insertion curves of ``saliency`` and of random orders.

    Args:
        score_fn: ``(M, H, W, C)`` uint8 images -> ``(M,)`` defect scores.
        image: ``(H, W, C)`` uint8 image.
        saliency: ``(H, W)`` map at the image's size (any range; only the
            order of its values matters).
        baseline: ``(H, W, C)`` uint8 removal baseline.
        num_steps: ``S``.
        num_random: number of random orders.
        rng: generator of the random orders and of the map's tie-breaking.

    Returns:
        ``deletion`` / ``insertion`` ``(S + 1,)`` scores along the map's
        order, ``deletion_random`` / ``insertion_random`` ``(num_random, S +
        1)`` along random orders, and their areas ``deletion_auc``,
        ``insertion_auc``, ``deletion_auc_random``, ``insertion_auc_random``
        (the random ones averaged over the orders), as 0-d arrays.
    """
    if saliency.shape != image.shape[:2]:
        raise ValueError(f'faithfulness_curves: saliency {saliency.shape} does not '
                         f'match the image {image.shape[:2]}')
    rng = rng if rng is not None else np.random.default_rng(0)
    orders = [pixel_order(saliency, rng)]
    orders += [rng.permutation(saliency.size) for _ in range(num_random)]
    frames = [curve_images(image, baseline, order, num_steps, mode)
              for order in orders for mode in ('deletion', 'insertion')]
    scores = np.asarray(score_fn(np.concatenate(frames)), dtype=np.float64)
    scores = scores.reshape(len(orders), 2, num_steps + 1)
    out = dict(deletion=scores[0, 0], insertion=scores[0, 1],
               deletion_random=scores[1:, 0], insertion_random=scores[1:, 1])
    for name in ('deletion', 'insertion'):
        out[f'{name}_auc'] = np.asarray(curve_auc(out[name]))
        out[f'{name}_auc_random'] = np.asarray(np.mean(
            [curve_auc(c) for c in out[f'{name}_random']]))
    return out
