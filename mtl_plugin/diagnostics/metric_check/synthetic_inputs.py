"""Synthetic predictions with known answers for the metric cross-checks.

Each generator returns ground truth and predictions built so that the
numbers a metric can get wrong differ: per-class IoUs that all differ (a
dropped class moves the mean), boxes that hit at IoU 0.5 but miss at 0.75,
detections beyond the per-image cap, tied scores, maps on another scale than
[0, 1], images that must not be scored.
"""
from typing import Dict, List, Tuple

import numpy as np


def synthetic_seg(num_classes: int, ignore_index: int, size: int = 32,
                  num_images: int = 4) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """Ground truth stripes of every class; in the prediction class ``c`` loses
    a fraction ``0.1 + 0.6 c / C`` of its pixels to class ``c + 1``, so
    per-class IoUs all differ. A 2-pixel border is ``ignore_index``."""
    rng = np.random.default_rng(0)
    gts, preds = [], []
    for _ in range(num_images):
        gt = np.repeat(np.arange(size) * num_classes // size, size).reshape(
            size, size).T.copy()
        pred = gt.copy()
        for c in range(num_classes):
            where = np.argwhere(gt == c)
            k = int(len(where) * (0.1 + 0.6 * c / num_classes))
            pick = where[rng.permutation(len(where))[:k]]
            pred[pick[:, 0], pick[:, 1]] = (c + 1) % num_classes
        gt[:2], gt[-2:] = ignore_index, ignore_index
        pred[:2] = rng.integers(0, num_classes, (2, size))
        gts.append(gt.astype(np.int64))
        preds.append(pred.astype(np.int64))
    return preds, gts


def _box(rng, size: int):
    w, h = rng.uniform(0.2, 0.4, 2) * size
    x, y = rng.uniform(0, size - w), rng.uniform(0, size - h)
    return [float(x), float(y), float(x + w), float(y + h)]


def synthetic_det(num_classes: int, size: int = 64,
                  num_images: int = 4) -> Tuple[List[Dict], List[Dict]]:
    """Per image one gt box of each class. Even classes are predicted exactly
    (score 0.9); odd classes with the box shifted by 20 % of its width (IoU
    ~0.67: a hit at 0.5, a miss at 0.75); every image gets one false positive
    of class 0 at score 0.1 in an empty corner. Returns (gts, preds) lists of
    dicts ``bboxes (n, 4) xyxy, labels (n,), [scores]``."""
    rng = np.random.default_rng(0)
    gts, preds = [], []
    for _ in range(num_images):
        gb, gl, pb, pl, ps = [], [], [], [], []
        for c in range(num_classes):
            b = _box(rng, size)
            gb.append(b)
            gl.append(c)
            if c % 2:
                dx = 0.2 * (b[2] - b[0])
                b = [b[0] + dx, b[1], b[2] + dx, b[3]]
            pb.append(b)
            pl.append(c)
            ps.append(0.9)
        pb.append([0.0, 0.0, 3.0, 3.0])
        pl.append(0)
        ps.append(0.1)
        gts.append(dict(bboxes=np.array(gb, np.float32), labels=np.array(gl)))
        preds.append(dict(bboxes=np.array(pb, np.float32), labels=np.array(pl),
                          scores=np.array(ps, np.float32)))
    return gts, preds


def synthetic_dense_det(max_dets: int, num_classes: int = 1,
                        num_gt: int = 20) -> Tuple[Dict, Dict, Tuple[int, int]]:
    """One crowded image whose numbers depend on the per-image cap.

    ``num_gt`` 16 px gt boxes in a top band (labels ``i % num_classes``);
    detections ranked by score: a quarter of the gt boxes, then
    ``max_dets // 2`` false positives (4 px boxes in the empty lower part),
    a second quarter, false positives up to rank ``max_dets``, then a third
    quarter (beyond the cap); the last quarter is never detected. Every
    other detected box is shifted by 20 % of its width (IoU 0.67: a hit at
    0.5, a miss at 0.75). A metric capped at 100 (or not capped) detections
    instead of ``max_dets`` gets another recall.

    Returns:
        ``(gt, pred, (height, width))``: ``bboxes`` xyxy, ``labels``,
        ``scores`` (pred, all distinct).
    """
    quarter = max(num_gt // 4, 1)
    width, pitch, fp_pitch = 256, 24, 6
    gt_labels = np.arange(num_gt) % num_classes
    gt = np.array([[x, y, x + 16, y + 16] for i in range(num_gt)
                   for x, y in [(4 + pitch * (i % 10), 4 + pitch * (i // 10))]],
                  np.float32)
    band = 4 + pitch * ((num_gt + 9) // 10) + 8
    num_fp = max(max_dets - 2 * quarter, 0)
    first_fps = max(max_dets // 2 - quarter, 0)
    cols = width // fp_pitch
    height = band + fp_pitch * (num_fp // cols + 1)
    fps = np.array([[x, y, x + 4, y + 4] for i in range(num_fp)
                    for x, y in [(fp_pitch * (i % cols),
                                  band + fp_pitch * (i // cols))]],
                   np.float32).reshape(-1, 4)
    fp_labels = np.zeros(num_fp, np.int64)

    def hits(block: int) -> Tuple[np.ndarray, np.ndarray]:
        idx = np.arange(block * quarter, (block + 1) * quarter)
        boxes = gt[idx].copy()
        boxes[1::2, [0, 2]] += 0.2 * 16
        return boxes, gt_labels[idx]

    ranked = [hits(0), (fps[:first_fps], fp_labels[:first_fps]), hits(1),
              (fps[first_fps:], fp_labels[first_fps:]), hits(2)]
    boxes = np.concatenate([b for b, _ in ranked]).astype(np.float32)
    labels = np.concatenate([lab for _, lab in ranked]).astype(np.int64)
    scores = np.linspace(0.99, 0.01, len(boxes)).astype(np.float32)
    return (dict(bboxes=gt, labels=gt_labels),
            dict(bboxes=boxes, labels=labels, scores=scores), (height, width))


def synthetic_cls(num_classes: int,
                  num_images: int = 20) -> Tuple[np.ndarray, np.ndarray]:
    """Scores whose argmax is right for image i unless ``i % 4 == 3``."""
    rng = np.random.default_rng(0)
    labels = np.arange(num_images) % num_classes
    scores = rng.uniform(0, 0.5, (num_images, num_classes))
    preds = labels.copy()
    wrong = np.arange(num_images) % 4 == 3
    preds[wrong] = (labels[wrong] + 1) % num_classes
    scores[np.arange(num_images), preds] = 1.0
    scores = scores / scores.sum(1, keepdims=True)
    return labels, scores


def synthetic_binary_cls(pos_index: int, num_classes: int = 2,
                         num_images: int = 24) -> Tuple[np.ndarray, np.ndarray]:
    """Labels and scores of a defect classifier with ties.

    Every third image is of class ``pos_index``; the others cycle through
    the other classes. The ``pos_index`` score takes values on a 0.1 grid,
    so positives and negatives tie (AP and AUROC must count ties), and a
    quarter of the images are misclassified each way; the remaining score
    mass goes to the image's other class.

    Returns:
        ``(labels (N,), scores (N, num_classes))``, rows summing to 1.
    """
    others = [k for k in range(num_classes) if k != pos_index]
    labels = np.array([pos_index if i % 3 == 0 else others[i % len(others)]
                       for i in range(num_images)])
    grid = np.array([0.9, 0.7, 0.6, 0.3, 0.8, 0.4, 0.2, 0.7, 0.1, 0.3, 0.6, 0.2])
    pos_score = grid[np.arange(num_images) % len(grid)]
    scores = np.zeros((num_images, num_classes))
    scores[:, pos_index] = pos_score
    for i, lab in enumerate(labels):
        other = lab if lab != pos_index else others[i % len(others)]
        scores[i, other] = 1.0 - pos_score[i]
    return labels, scores


def synthetic_cam(defect_class: int, size: int = 16) -> Tuple[
        List[np.ndarray], List[np.ndarray], List[int]]:
    """Maps, masks and labels for the CAM metrics.

    Defect images with maps on a raw scale (not [0, 1], so min-max
    normalisation matters): a blob on the defect, a blob half off it, a blob
    elsewhere whose argmax misses, a constant map; plus a normal image with
    a mask and a defect image with an empty mask, which must not be scored.

    Returns:
        ``(maps, masks, labels)``: ``(size, size)`` float maps, uint8 masks.
    """
    normal = next(k for k in range(defect_class + 2) if k != defect_class)
    yy, xx = np.mgrid[:size, :size].astype(np.float64)

    def blob(cy: float, cx: float, scale: float, offset: float) -> np.ndarray:
        return offset + scale * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8.0)

    def square(y: int, x: int, side: int) -> np.ndarray:
        mask = np.zeros((size, size), np.uint8)
        mask[y:y + side, x:x + side] = 1
        return mask

    cases = [
        (blob(4, 4, 6.0, -2.0), square(2, 2, 5), defect_class),
        (blob(8, 10, 3.0, 1.0), square(6, 4, 6), defect_class),
        (blob(12, 3, 5.0, 0.5), square(2, 9, 4), defect_class),
        (np.full((size, size), 2.5), square(5, 5, 3), defect_class),
        (blob(6, 6, 4.0, 0.0), square(4, 4, 4), normal),
        (blob(6, 6, 4.0, 0.0), np.zeros((size, size), np.uint8), defect_class),
    ]
    return ([c[0] for c in cases], [c[1] for c in cases],
            [int(c[2]) for c in cases])
