"""tools/run_demo.sh on a rerun: finished trainings and up-to-date tests are
reused, and S1 and the guided model are printed side by side (the full run
trains for minutes; its first half is the train / test tools tested elsewhere)."""
import json
import os
import subprocess
import sys

from mtl_test_utils import REPO


def test_rerun_reuses_everything_and_prints_both_side_by_side(tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    data.mkdir()
    (data / 'generation_info.json').write_text('{}')
    metrics = {
        'demo-s1': {'cls/accuracy': 0.475, 'cls/recall': 0.0, 'cls/auroc': 0.546,
                    'cam/iou': 0.021, 'cam/point_game': 0.0,
                    'cam/energy_inside': 0.025, 'cam/gt_area_fraction': 0.032},
        'demo': {'cls/accuracy': 0.91, 'cls/recall': 0.88, 'cls/auroc': 0.97,
                 'cam/iou': 0.31, 'cam/point_game': 0.62,
                 'cam/energy_inside': 0.2, 'cam/gt_area_fraction': 0.032},
    }
    for name, m in metrics.items():
        (work / name).mkdir(parents=True)
        ckpt = work / name / 'epoch_20.pth'
        ckpt.write_bytes(b'')
        os.utime(ckpt, (1, 1))  # older than the metrics
        (work / name / 'metrics.json').write_text(json.dumps(m))
    env = dict(os.environ, MTL_VENV=sys.prefix, DEMO_DATA=str(data),
               DEMO_WORK_DIR=str(work))
    out = subprocess.run(['bash', os.path.join(REPO, 'tools', 'run_demo.sh')],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    log = out.stdout
    assert 'reusing the synthetic data set' in log
    assert log.count('not repeated') == 2 and log.count('not tested again') == 2
    rows = {line.split('|')[1].strip(): [c.strip(' *') for c in line.split('|')[2:-1]]
            for line in log.splitlines() if line.startswith('| ')}
    assert rows['strategy'] == ['cls/accuracy', 'cls/recall', 'cls/auroc', 'cam/iou',
                                'cam/point_game', 'cam/energy_inside',
                                'cam/gt_area_fraction']
    assert rows['S1'] == ['0.475', '0.000', '0.546', '0.021', '0.000', '0.025', '0.032']
    assert rows['guided'] == ['0.910', '0.880', '0.970', '0.310', '0.620', '0.200',
                              '0.032']
    assert (work / 'strategies.md').is_file() and (work / 'strategies.png').is_file()
