import numpy as np

from mtl_plugin.evaluation.dense_detection_matching import box_iou, match_dataset, match_image


def test_box_iou_known_values():
    a = np.array([[0, 0, 10, 10], [0, 0, 0, 5]], float)
    b = np.array([[0, 0, 10, 5], [20, 20, 30, 30]], float)
    np.testing.assert_allclose(box_iou(a, b), [[0.5, 0.0], [0.0, 0.0]])


def test_greedy_match_by_score_one_to_one():
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], float)
    pred = np.array([[0, 0, 10, 9],     # IoU 0.9 with gt0, low score
                     [0, 0, 10, 10],    # IoU 1.0 with gt0, high score
                     [21, 0, 30, 10],   # IoU 0.9 with gt1
                     [50, 50, 60, 60]], float)
    scores = np.array([0.3, 0.9, 0.5, 0.8])
    iou, gt_idx = match_image(pred, scores, gt, iou_thr=0.5)
    np.testing.assert_allclose(iou, [0.0, 1.0, 0.9, 0.0])
    assert gt_idx.tolist() == [-1, 0, 1, -1]


def test_precision_recall_and_best_f1():
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10]], float)
    pred = np.array([[0, 0, 10, 10], [60, 0, 70, 10], [20, 0, 30, 10],
                     [80, 0, 90, 10]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    m = match_dataset([(pred, scores, gt)], iou_thr=0.5)
    pr = m.precision_recall()
    np.testing.assert_allclose(pr['precision'], [1, 0.5, 2 / 3, 0.5])
    np.testing.assert_allclose(pr['recall'], [1 / 3, 1 / 3, 2 / 3, 2 / 3])
    best = m.best_f1()
    # threshold 0.7: P 2/3, R 2/3 -> F1 2/3 (0.9 gives 0.5).
    assert best['threshold'] == 0.7
    np.testing.assert_allclose(best['f1'], 2 / 3)
