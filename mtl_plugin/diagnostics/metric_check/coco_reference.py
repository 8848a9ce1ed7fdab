"""Reference of box metrics: pycocotools' ``COCOeval`` on COCO dicts built
here from xyxy boxes (independent of mmdet's conversion)."""
import contextlib
import io
from typing import Dict, List, Optional


def pycocotools_ap(gts: List[Dict], preds: List[Dict], image_sizes: List[tuple],
                   max_dets: Optional[int] = None) -> Dict[str, float]:
    """COCO box AP (0.5:0.95), AP50, AP75 (and AR) computed by pycocotools.

    Args:
        gts: per image ``bboxes (n, 4)`` xyxy pixels and ``labels (n,)``.
        preds: per image ``bboxes``, ``labels`` and ``scores (n,)``.
        image_sizes: per image ``(height, width)``.
        max_dets: None: pycocotools' default ``maxDets=[1, 10, 100]`` and its
            summary (``mAP`` = ``stats[0]``, AP at 100 detections per image).
            Otherwise ``maxDets=[1, 10, max_dets]``: AP50 / AP75 / AR are the
            summary's ``stats[1]``, ``stats[2]``, ``stats[8]``, all at
            ``max_dets``; pycocotools' summary fixes its AP 0.5:0.95 to 100
            detections, so ``mAP`` is the mean of the same accumulated
            precision array at ``max_dets`` (the array that summary averages).

    Returns:
        ``mAP``, ``mAP_50``, ``mAP_75`` (and ``AR@{max_dets}``), fractions.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    num_classes = int(max(g['labels'].max() for g in gts if len(g['labels']))) + 1
    images, anns, dets = [], [], []
    for i, (g, p, (h, w)) in enumerate(zip(gts, preds, image_sizes)):
        images.append(dict(id=i, width=w, height=h))
        for b, lab in zip(g['bboxes'], g['labels']):
            x1, y1, x2, y2 = map(float, b)
            anns.append(dict(id=len(anns) + 1, image_id=i, category_id=int(lab),
                             bbox=[x1, y1, x2 - x1, y2 - y1],
                             area=(x2 - x1) * (y2 - y1), iscrowd=0))
        for b, lab, s in zip(p['bboxes'], p['labels'], p['scores']):
            x1, y1, x2, y2 = map(float, b)
            dets.append(dict(image_id=i, category_id=int(lab), score=float(s),
                             bbox=[x1, y1, x2 - x1, y2 - y1]))
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = dict(images=images, annotations=anns, categories=[
            dict(id=c, name=str(c)) for c in range(num_classes)])
        coco.createIndex()
        ev = COCOeval(coco, coco.loadRes(dets), 'bbox')
        if max_dets is not None:
            ev.params.maxDets = [1, 10, max_dets]
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    if max_dets is None:
        return dict(mAP=float(ev.stats[0]), mAP_50=float(ev.stats[1]),
                    mAP_75=float(ev.stats[2]))
    # precision: (iou thr, recall thr, category, area range 'all', maxDets[2])
    precision = ev.eval['precision'][:, :, :, 0, 2]
    valid = precision[precision > -1]
    return {'mAP': float(valid.mean()) if valid.size else -1.0,
            'mAP_50': float(ev.stats[1]), 'mAP_75': float(ev.stats[2]),
            f'AR@{max_dets}': float(ev.stats[8])}

