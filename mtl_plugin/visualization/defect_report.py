"""One self-contained HTML page about a defect classifier's test predictions.

Built from a ``tools/test.py --out`` dump (:mod:`mtl_plugin.evaluation.defect_predictions`):

* ``#metrics``: a table of the image-level figures at the operating point
  ``score_thr`` (and every ``metrics.json`` value when given);
* ``#roc`` / ``#pr``: ROC and precision-recall curves of the defect
  probability with the operating point marked;
* ``#hist``: score histograms of normal and defect images with the threshold;
* ``#confusion``: the confusion matrix at the threshold;
* ``#worst-localised``: the ``num_panels`` defect images with the lowest
  CAM-IoU (per-image min-max normalised CAM >= 0.5 vs the GT mask, as
  ``CAMMetric``), as image | CAM | attention | localization | GT panels;
* ``#confident-errors``: the ``num_panels`` misclassified images farthest
  from the threshold;
* a link to the per-image CSV written beside the page (``per_image.csv``);
* ``#shortcut-audit`` (when an audit is given): the verdict line, the
  summary table and the example composites of
  :mod:`mtl_plugin.evaluation.shortcut_audit` (the same rows as the printed
  table of ``tools/analysis/shortcut_audit.py``).

Pictures are PNGs embedded as base64 ``data:`` URIs, so the page is one file.
"""
import base64
import csv
import html
import io
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

from mtl_plugin.evaluation.defect_predictions import DefectPredictions, field_map
from mtl_plugin.evaluation.metrics.defect_cls_metric import auroc, average_precision
from mtl_plugin.evaluation.operating_point import (
    counts_at,
    expected_calibration_error,
    fpr_at_full_recall,
    recall_at_fpr,
    threshold_sweep,
)
from mtl_plugin.evaluation.shortcut_audit import summary_rows, verdict_line
from mtl_plugin.utils.map_normalization import minmax_normalize

from .gain_panels import draw_gain_panels

CSV_NAME = 'per_image.csv'


def cam_iou(record: Dict, threshold: float = 0.5) -> Optional[float]:
    """CAM-IoU of one defect image (min-max normalised CAM >= ``threshold``
    vs the GT mask, the map resized bilinearly to the mask), None without
    CAM or mask."""
    cam, mask = field_map(record, 'pred_cam'), field_map(record, 'gt_sem_seg')
    if cam is None or mask is None or not (mask > 0).any():
        return None
    if cam.shape != mask.shape:
        cam = cv2.resize(cam, (mask.shape[1], mask.shape[0]),
                         interpolation=cv2.INTER_LINEAR)
    norm = minmax_normalize(torch.from_numpy(cam)[None, None], eps=0.0)[0, 0].numpy()
    pred, gt = norm >= threshold, mask > 0
    union = (pred | gt).sum()
    return float((pred & gt).sum() / union) if union else 1.0


def _png(img_rgb: np.ndarray) -> str:
    ok, buf = cv2.imencode('.png', np.ascontiguousarray(img_rgb[..., ::-1]))
    if not ok:
        raise RuntimeError('PNG encoding failed')
    return 'data:image/png;base64,' + base64.b64encode(buf.tobytes()).decode('ascii')


def _figure_png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=100)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return 'data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode('ascii')


def _curves(preds: DefectPredictions, thr: float) -> Dict[str, str]:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    sweep = threshold_sweep(preds.score, preds.label)
    op = counts_at(preds.score, preds.label, thr)
    out = {}
    fig, ax = plt.subplots(figsize=(4.2, 4))
    # straight segments: a group of tied scores moves both rates at once
    ax.plot(sweep.fpr, sweep.tpr, label='ROC')
    ax.plot([op['fpr']], [op['recall']], 'o', color='red',
            label=f'score >= {thr:.3g}')
    ax.set(xlabel='false-positive rate', ylabel='recall (defect)', xlim=(-0.02, 1.02),
           ylim=(-0.02, 1.02), title=f'ROC (AUROC {auroc(preds.score, preds.label):.3f})')
    ax.legend(loc='lower right')
    fig.tight_layout()
    out['roc'] = _figure_png(fig)

    fig, ax = plt.subplots(figsize=(4.2, 4))
    # precision of each threshold holds back to the previous recall (as AP sums)
    ax.plot(np.r_[0.0, sweep.tpr[1:]], np.r_[sweep.precision[1], sweep.precision[1:]],
            drawstyle='steps-pre', label='PR')
    ax.plot([op['recall']], [op['precision']], 'o', color='red',
            label=f'score >= {thr:.3g}')
    ax.set(xlabel='recall (defect)', ylabel='precision', xlim=(-0.02, 1.02),
           ylim=(-0.02, 1.02),
           title=f'PR (AP {average_precision(preds.score, preds.label):.3f})')
    ax.legend(loc='lower left')
    fig.tight_layout()
    out['pr'] = _figure_png(fig)

    fig, ax = plt.subplots(figsize=(5, 3.4))
    bins = np.linspace(0, 1, 26)
    for label, name, colour in ((0, 'normal', 'tab:blue'), (1, 'defect', 'tab:red')):
        ax.hist(preds.score[preds.label == label], bins=bins, alpha=0.6,
                color=colour, label=f'{name} ({int((preds.label == label).sum())})')
    ax.axvline(thr, color='black', linestyle='--', label='threshold')
    ax.set(xlabel='defect probability', ylabel='images', title='scores per class')
    ax.legend()
    fig.tight_layout()
    out['hist'] = _figure_png(fig)

    fig, ax = plt.subplots(figsize=(3.6, 3.2))
    matrix = np.array([[op['tn'], op['fp']], [op['fn'], op['tp']]])
    ax.imshow(matrix, cmap='Blues')
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha='center', va='center',
                color='white' if v > matrix.max() / 2 else 'black', fontsize=14)
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=['normal', 'defect'],
           yticklabels=['normal', 'defect'], xlabel='predicted', ylabel='true',
           title=f'confusion at {thr:.3g}')
    fig.tight_layout()
    out['confusion'] = _figure_png(fig)
    return out


def _panel(record: Dict, caption: str) -> np.ndarray:
    """Panels at the map resolution (the network input)."""
    cam = field_map(record, 'pred_cam')
    size = cam.shape if cam is not None else None
    path = record.get('img_path')
    img = cv2.imread(path) if path and osp.isfile(path) else None
    if img is None:
        img = np.full((size or (64, 64)) + (3, ), 128, np.uint8)
    if size is not None:
        img = cv2.resize(img, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    return draw_gain_panels(img[..., ::-1], cam=cam,
                            attention=field_map(record, 'pred_attention'),
                            loc=field_map(record, 'pred_loc'),
                            gt_mask=field_map(record, 'gt_sem_seg'), caption=caption)


def per_image_rows(preds: DefectPredictions, thr: float) -> List[Dict]:
    """One row per image: path, label, score, decision at ``thr``, CAM-IoU."""
    rows = []
    for i, record in enumerate(preds.records):
        pred = int(preds.score[i] >= thr)
        iou = cam_iou(record) if preds.label[i] else None
        rows.append(dict(img_path=preds.img_path[i], label=int(preds.label[i]),
                         score=float(preds.score[i]), pred=pred,
                         correct=int(pred == preds.label[i]),
                         cam_iou='' if iou is None else round(iou, 6)))
    return rows


def metric_rows(preds: DefectPredictions, thr: float,
                fprs: Sequence[float] = (0.01, 0.05)) -> List[tuple]:
    """``(name, value)`` of the image-level figures at ``thr``."""
    s, y = preds.score, preds.label
    op = counts_at(s, y, thr)
    rows = [('images', len(y)), ('defect images', int(y.sum())),
            ('score threshold', thr)]
    rows += [(k, op[k]) for k in ('accuracy', 'precision', 'recall', 'f1', 'fpr',
                                  'tp', 'fp', 'fn', 'tn')]
    both = 0 < y.sum() < len(y)
    rows += [('ap', average_precision(s, y) if both else float('nan')),
             ('auroc', auroc(s, y))]
    rows += [(f'recall@fpr{round(f * 100, 6):g}',
              recall_at_fpr(s, y, f) if both else float('nan')) for f in fprs]
    rows += [('fpr@recall100', fpr_at_full_recall(s, y)),
             ('ece', expected_calibration_error(s, y))]
    return rows


def _fmt(v) -> str:
    return f'{v:.4f}' if isinstance(v, float) else html.escape(str(v))


def audit_section(audit: Dict, audit_dir: str) -> str:
    """``#shortcut-audit`` section of a shortcut audit (the dict of
    :func:`~mtl_plugin.evaluation.shortcut_audit.run_shortcut_audit` or its
    ``audit.json``); its example PNGs are read from ``audit_dir`` and
    embedded."""
    rows = ''.join(f'<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td>'
                   f'<td>{html.escape(n)}</td><td>{html.escape(m)}</td></tr>'
                   for k, v, n, m in summary_rows(audit))
    figures = []
    for k, example in enumerate(audit.get('examples', [])):
        path = osp.join(audit_dir, example['file'])
        with open(path, 'rb') as f:
            src = 'data:image/png;base64,' + base64.b64encode(f.read()).decode('ascii')
        figures.append(f'<figure class="audit-example" data-img="{html.escape(path)}">'
                       f'<img id="audit-example-{k}" src="{src}"><figcaption>'
                       f'{html.escape(example["caption"])}</figcaption></figure>')
    point = audit['operating_point']
    return (f'<section id="shortcut-audit"><h2>Shortcut audit</h2>'
            f'<p id="audit-verdict">{html.escape(verdict_line(audit["verdict"]))}</p>'
            f'<p>{html.escape(audit["verdict"]["rule"])}. Split '
            f'{html.escape(str(audit.get("split", "?")))}, called defect iff '
            f'p(class {point["defect_class"]}) &gt;= {point["score_thr"]:g}; '
            'definitions in docs/shortcut_audit.md.</p>'
            f'<table id="audit"><tr><th>test</th><th>value</th><th>n</th>'
            f'<th>meaning</th></tr>{rows}</table>{"".join(figures)}</section>')


def write_defect_report(preds: DefectPredictions, out_dir: str, score_thr: float = 0.5,
                        num_panels: int = 8, metrics: Optional[Dict] = None,
                        title: str = 'Defect inspection report',
                        audit: Optional[Dict] = None,
                        audit_dir: Optional[str] = None) -> str:
    """Write ``out_dir/defect_report.html`` and ``out_dir/per_image.csv``;
    return the page's path. ``metrics``: e.g. the run's ``metrics.json``;
    ``audit``: a shortcut audit whose example files lie in ``audit_dir``
    (adds the ``#shortcut-audit`` section)."""
    os.makedirs(out_dir, exist_ok=True)
    rows = per_image_rows(preds, score_thr)
    with open(osp.join(out_dir, CSV_NAME), 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    figures = _curves(preds, score_thr) if 0 < preds.label.sum() < len(preds.label) \
        else {}
    localised = sorted((r['cam_iou'], i) for i, r in enumerate(rows) if r['cam_iou'] != '')
    errors = sorted(((abs(rows[i]['score'] - score_thr), i) for i in range(len(rows))
                     if not rows[i]['correct']), reverse=True)

    def panels(section_id, heading, picks, note):
        items = []
        for key, i in picks[:num_panels]:
            r = rows[i]
            caption = (f"{osp.basename(r['img_path'])}: label {r['label']}, "
                       f"p={r['score']:.3f}" +
                       (f", CAM-IoU {r['cam_iou']:.3f}" if r['cam_iou'] != '' else ''))
            img = _panel(preds.records[i], f"p={r['score']:.2f} y={r['label']}")
            items.append(f'<figure class="panel" data-img="{html.escape(r["img_path"])}">'
                         f'<img src="{_png(img)}"><figcaption>{html.escape(caption)}'
                         '</figcaption></figure>')
        body = ''.join(items) or '<p class="empty">none</p>'
        return (f'<section id="{section_id}"><h2>{heading}</h2><p>{note}</p>'
                f'{body}</section>')

    metric_html = ''.join(f'<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>'
                          for k, v in metric_rows(preds, score_thr))
    if metrics:
        metric_html += ''.join(
            f'<tr class="run"><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>'
            for k, v in sorted(metrics.items()))
    figure_html = ''.join(f'<img id="{k}" alt="{k}" src="{v}">' for k, v in figures.items())
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}} table{{border-collapse:collapse}}
th,td{{border:1px solid #ccc;padding:2px 8px;text-align:left}} tr.run{{color:#555}}
#figures img{{margin:4px;border:1px solid #eee}} figure.panel{{display:inline-block;margin:6px}}
figcaption{{font-size:small}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(rows)} images; a defect is flagged when its defect probability is
&gt;= {score_thr:.4g}. Per-image values: <a id="csv" href="{CSV_NAME}">{CSV_NAME}</a>.</p>
<h2>Metrics</h2><table id="metrics">{metric_html}</table>
<h2>Curves</h2><div id="figures">{figure_html}</div>
{panels('worst-localised', 'Worst-localised defects',
        [(iou, i) for iou, i in localised],
        'defect images with the lowest CAM-IoU (min-max normalised CAM &gt;= 0.5 vs '
        'mask); panels: image | CAM | attention | localization | GT')}
{panels('confident-errors', 'Most confident errors', errors,
        'misclassified images, farthest from the threshold first')}
{audit_section(audit, audit_dir or out_dir) if audit else ''}
</body></html>
"""
    path = osp.join(out_dir, 'defect_report.html')
    with open(path, 'w') as f:
        f.write(page)
    return path
