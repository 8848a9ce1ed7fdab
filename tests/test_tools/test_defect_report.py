"""tools/analysis/defect_report.py: the page holds what it claims (parsed),
the CSV has one row per image, compare_strategies links to the page."""
import base64
import csv
import importlib.util
import json
import os.path as osp
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest
import torch
from mmengine.evaluator import DumpResults, Evaluator
from mmengine.structures import PixelData

from mtl_plugin.structures import MultiTaskDataSample

from mtl_test_utils import REPO

S = 32


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', 'analysis', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _box(y0, y1, x0, x1):
    m = torch.zeros(1, S, S)
    m[0, y0:y1, x0:x1] = 1
    return m


# name, label, defect score, CAM; the GT mask of defect images is [8:16, 8:16].
# CAM-IoU: d0 1 (CAM = mask), d1 1/3 (shifted by half), d2 0 (elsewhere).
# At 0.5: d2 is a miss (|.3 - .5| = .2), n2 a false alarm (|.95 - .5| = .45).
CASES = [('d0', 1, 0.9, _box(8, 16, 8, 16)), ('d1', 1, 0.6, _box(8, 16, 12, 20)),
         ('d2', 1, 0.3, _box(24, 30, 24, 30)), ('n0', 0, 0.2, _box(0, 4, 0, 4)),
         ('n1', 0, 0.45, _box(0, 4, 0, 4)), ('n2', 0, 0.95, _box(0, 4, 0, 4))]


def _work_dir(root):
    work = root / 'work'
    (work / 'imgs').mkdir(parents=True)
    samples = []
    for name, label, p, cam in CASES:
        path = str(work / 'imgs' / f'{name}.png')
        cv2.imwrite(path, np.full((S, S, 3), 100, np.uint8))
        s = MultiTaskDataSample(metainfo=dict(img_path=path, img_shape=(S, S)))
        s.pred_score = torch.tensor([1 - p, p])
        s.pred_label = torch.tensor([int(p >= 0.5)])
        s.gt_label = torch.tensor([label])
        s.pred_cam = PixelData(data=cam)
        s.pred_loc = PixelData(data=cam * 0.8)
        s.gt_sem_seg = PixelData(data=(_box(8, 16, 8, 16) if label else
                                       torch.zeros(1, S, S)).long())
        samples.append(s)
    ev = Evaluator([DumpResults(out_file_path=str(work / 'preds.pkl'))])
    ev.process(samples)
    ev.evaluate(len(samples))
    (work / 'metrics.json').write_text(json.dumps({'cam/iou': 0.444}))
    return work


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.sections, self.rows, self.links = {}, {}, [], []
        self._section, self._cell, self._row, self._caption = None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'section':
            self._section = a['id']
            self.sections[self._section] = []
        elif tag == 'figure' and self._section:
            self.sections[self._section].append(dict(img=a['data-img'], caption=''))
        elif tag == 'img':
            key = a.get('id') or f'panel{len(self.imgs)}'
            self.imgs[key] = a['src']
        elif tag == 'figcaption':
            self._caption = True
        elif tag == 'tr':
            self._row = []
        elif tag in ('th', 'td') and self._row is not None:
            self._cell = ''
        elif tag == 'a':
            self.links.append(a['href'])

    def handle_endtag(self, tag):
        if tag == 'section':
            self._section = None
        elif tag == 'figcaption':
            self._caption = None
        elif tag in ('th', 'td') and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == 'tr':
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._caption and self._section:
            self.sections[self._section][-1]['caption'] += data


def _decode(src):
    assert src.startswith('data:image/png;base64,')
    img = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(',', 1)[1]), np.uint8),
                       cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] > 10
    return img


def test_page_holds_what_it_claims(tmp_path, capsys):
    work = _work_dir(tmp_path)
    _tool('defect_report').main([str(work), '--num-panels', '2'])
    out = work / 'defect_report'
    page = _Page()
    page.feed((out / 'defect_report.html').read_text())
    for key in ('roc', 'pr', 'hist', 'confusion'):
        _decode(page.imgs[key])
    table = {row[0]: row[1] for row in page.rows}
    assert table['recall'] == f'{2 / 3:.4f}' and table['precision'] == f'{2 / 3:.4f}'
    assert table['fpr'] == f'{1 / 3:.4f}' and table['auroc'] == f'{5 / 9:.4f}'
    assert (table['tp'], table['fp'], table['fn'], table['tn']) == ('2', '1', '1', '2')
    assert table['cam/iou'] == '0.4440'  # from metrics.json
    worst = page.sections['worst-localised']
    assert [osp.basename(f['img']) for f in worst] == ['d2.png', 'd1.png']
    assert 'CAM-IoU 0.000' in worst[0]['caption'] and 'CAM-IoU 0.333' in worst[1]['caption']
    errors = page.sections['confident-errors']
    assert [osp.basename(f['img']) for f in errors] == ['n2.png', 'd2.png']
    panels = [v for k, v in page.imgs.items() if k.startswith('panel')]
    assert len(panels) == 4
    # image | CAM | loc | GT: four panels of 32 px side by side
    assert _decode(panels[0]).shape[1] >= 4 * S
    assert 'per_image.csv' in page.links
    with open(out / 'per_image.csv') as f:
        rows = list(csv.DictReader(f))
    assert [osp.basename(r['img_path']) for r in rows] == [c[0] + '.png' for c in CASES]
    assert [float(r['cam_iou']) for r in rows[:3]] == pytest.approx([1.0, 1 / 3, 0.0])
    assert [r['cam_iou'] for r in rows[3:]] == ['', '', '']
    assert [int(r['pred']) for r in rows] == [1, 1, 0, 0, 0, 1]


def test_threshold_moves_the_operating_point(tmp_path):
    work = _work_dir(tmp_path)
    _tool('defect_report').main([str(work / 'preds.pkl'), '--score-thr', '0.25',
                                 '--out-dir', str(tmp_path / 'r')])
    page = _Page()
    page.feed((tmp_path / 'r' / 'defect_report.html').read_text())
    table = {row[0]: row[1] for row in page.rows}
    # at 0.25: every defect flagged, n1 (.45) and n2 (.95) too
    assert (table['tp'], table['fp'], table['fn'], table['tn']) == ('3', '2', '0', '1')


def test_compare_strategies_links_the_report(tmp_path):
    work = _work_dir(tmp_path)
    _tool('defect_report').main([str(work)])
    out = tmp_path / 'cmp'
    _tool('compare_strategies').main([f'S6={work}', '--out-dir', str(out)])
    text = (out / 'strategies.md').read_text()
    assert '- S6: [defect report](../work/defect_report/defect_report.html)' in text


def test_work_dir_without_dump_is_named(tmp_path):
    with pytest.raises(SystemExit, match='no \\*.pkl'):
        _tool('defect_report').main([str(tmp_path)])


def test_audit_section_from_an_audit_json(tmp_path):
    from mtl_plugin.evaluation.shortcut_audit import decide
    from mtl_plugin.evaluation.shortcut_audit.audit_outputs import write_audit_outputs
    from mtl_plugin.evaluation.shortcut_audit.score_tests import Example
    work = _work_dir(tmp_path)
    summary = dict(num_images=6, num_defect=3, num_normal=3, recall=1.0,
                   specificity=1.0, necessity=0.1, necessity_n=8, sufficiency=0.9,
                   sufficiency_n=8, sufficiency_control=0.0, sufficiency_control_n=8,
                   context_swap=0.05, context_swap_flip=0.0, context_swap_n=8,
                   map_n=0, wrong_reason_mass=float('nan'))
    panel = np.full((S, S, 3), 90, np.uint8)
    write_audit_outputs(
        dict(summary=summary, verdict=decide(summary), split='val',
             operating_point=dict(defect_class=1, score_thr=0.5, source='default')),
        [dict(img_path='a.png', score=0.9)],
        [Example('defect_000', [('original p=0.90', panel), ('necessity p=0.80', panel)])],
        str(tmp_path / 'audit'))
    _tool('defect_report').main([str(work), '--audit-json',
                                 str(tmp_path / 'audit' / 'audit.json')])
    page = _Page()
    page.feed((work / 'defect_report' / 'defect_report.html').read_text())
    assert 'shortcut-audit' in page.sections
    table = {row[0]: row[1:] for row in page.rows}
    assert table['necessity'][:2] == ['0.100', '8']
    assert table['wrong_reason_mass'][0] == 'n/a'  # NaN, stored as null
    text = (work / 'defect_report' / 'defect_report.html').read_text()
    assert 'verdict: FLAG (necessity 0.100 &lt; 0.5 (n=8))' in text
    example = page.sections['shortcut-audit'][0]
    assert example['caption'] == 'original p=0.90 | necessity p=0.80'
    assert _decode(page.imgs['audit-example-0']).shape[1] == 2 * S + 2
    # the page without an audit has no such section
    _tool('defect_report').main([str(work), '--out-dir', str(tmp_path / 'plain')])
    assert 'shortcut-audit' not in (tmp_path / 'plain' / 'defect_report.html').read_text()


def test_audit_option_runs_the_library_audit(tmp_path):
    from mtl_plugin.apis import build_model, load_config
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )

    from mtl_test_utils import TEST_DATA
    work = _work_dir(tmp_path)
    data = str(tmp_path / 'data')
    generate_defect_dataset(MetalDefectGeneratorConfig(
        height=48, width=48, num_train=12, num_test=2, seed=0), data, progress=False)
    base = osp.join(TEST_DATA, 'configs', 'shortcut_audit_image_classifier.py')
    config = tmp_path / 'classifier.py'
    config.write_text(f'_base_ = [{base!r}]\n'
                      f'val_dataloader = dict(dataset=dict(data_root={data!r}))\n')
    ckpt = str(tmp_path / 'classifier.pth')
    torch.save(dict(state_dict=build_model(load_config(str(config))).state_dict()), ckpt)
    _tool('defect_report').main([str(work), '--audit', str(config), ckpt,
                                 '--audit-max-images', '4'])
    out = work / 'defect_report'
    audit = json.loads((out / 'shortcut_audit' / 'audit.json').read_text())
    assert audit['summary']['num_images'] == 4 and audit['maps'] is False
    page = _Page()
    page.feed((out / 'defect_report.html').read_text())
    table = {row[0]: row[1:] for row in page.rows}
    assert table['deletion_auc'][0] == 'n/a'  # a classifier without a map
    assert table['necessity'][1] == str(audit['summary']['necessity_n'])
