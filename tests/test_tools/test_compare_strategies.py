import json
import os

import cv2


def _write(path, data, lines=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        if lines:
            f.write('\n'.join(json.dumps(d) for d in data) + '\n')
        else:
            json.dump(data, f)


def test_table_and_chart_from_both_json_forms(tmp_path, run_tool):
    s1, s2 = tmp_path / 's1', tmp_path / 's2'
    _write(str(s1 / 'metrics.json'), {'cls/accuracy': 0.878, 'cam/iou': 0.116})
    # s2: only mmengine's <timestamp>/<timestamp>.json (older run first)
    _write(str(s2 / '20260101_000000' / '20260101_000000.json'), {'cam/iou': 0.1})
    _write(str(s2 / '20260102_000000' / '20260102_000000.json'),
           [{'lr': 1e-3, 'step': 1}, {'cls/accuracy': 0.9, 'cam/iou': 0.4,
                                      'cam/loc_iou': 0.6}], lines=True)
    out = tmp_path / 'cmp'
    res = run_tool('analysis/compare_strategies.py', f'S1={s1}', f'S2={s2}',
                   '--out-dir', out, '--metrics', 'cls/accuracy', 'cam/iou',
                   'cam/loc_iou', 'cam/pxap')
    assert res.returncode == 0, res.stderr
    table = (out / 'strategies.md').read_text().splitlines()
    assert table[0] == '| strategy | cls/accuracy | cam/iou | cam/loc_iou |'
    assert table[2] == '| S1 | 0.878 | 0.116 | - |'
    assert table[3] == '| S2 | **0.900** | **0.400** | **0.600** |'
    img = cv2.imread(str(out / 'strategies.png'))
    assert img is not None and img.shape[0] > 100


def test_missing_metrics_names_the_work_dir(tmp_path, run_tool):
    res = run_tool('analysis/compare_strategies.py', str(tmp_path / 'nothing'),
                   '--out-dir', tmp_path / 'cmp')
    assert res.returncode != 0
    assert str(tmp_path / 'nothing') in res.stderr and 'no metrics.json' in res.stderr
