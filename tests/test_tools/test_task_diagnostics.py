"""tools/analysis/task_diagnostics.py writes its report and confusion PNG."""
import importlib.util
import json
import os.path as osp

import pytest
from mtl_test_utils import REPO

from mtl_plugin.datasets.synthetic.orientation_study import \
    generate_orientation_study



def test_report_and_png(tmp_path, run_tool):
    generate_orientation_study(str(tmp_path / 'data'), num_train=2, num_val=6)
    out = tmp_path / 'diag'
    res = run_tool('analysis/task_diagnostics.py',
                   osp.join(REPO, 'configs/multitask/study_tinycnn_3task.py'),
                   'none', '--out-dir', out, '--cfg-options',
                   f'test_dataloader.dataset.data_root={tmp_path / "data"}/',
                   'test_dataloader.num_workers=0',
                   'test_dataloader.persistent_workers=False')
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads((out / 'report.json').read_text())
    assert report['num_samples'] == 6
    assert report['orientation/chance'] == 1 / 32
    assert sum(report['orientation/gt_counts']) == 6
    assert sum(report['orientation/pred_counts']) == 6
    assert 0 <= report['orientation/pred_entropy'] <= report['orientation/max_entropy'] + 1e-6
    assert 'orientation/accuracy_given_shape_correct' in report
    assert 'intensity/mae' in report and 'intensity/mae_of_mean' in report
    png = out / 'confusion_orientation.png'
    assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b'\x89PNG'
    conf = (out / 'confusion_orientation.csv').read_text().splitlines()
    assert len(conf) == 32


def test_rejects_non_study_config(tmp_path, run_tool):
    res = run_tool('analysis/task_diagnostics.py',
                   osp.join(REPO, 'configs/multitask/single_mnv3_fpn_cls.py'),
                   'none', '--out-dir', tmp_path)
    assert res.returncode != 0
    assert 'MultiTaskStudyMetric' in res.stderr


def test_misspelt_cfg_option_is_rejected():
    spec = importlib.util.spec_from_file_location(
        'task_diagnostics', osp.join(REPO, 'tools', 'analysis', 'task_diagnostics.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(SystemExit, match="'num_worker' does not exist under "
                       r"test_dataloader; did you mean \['num_workers'\]"):
        tool.main([osp.join(REPO, 'configs/multitask/study_tinycnn_3task.py'),
                   'none', '--cfg-options', 'test_dataloader.num_worker=0'])
