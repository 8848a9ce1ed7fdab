"""tools/analysis/task_diagnostics.py writes its report and confusion PNG."""
import importlib.util
import json
import os.path as osp

import pytest

from mtl_plugin.datasets.synthetic.orientation_study import generate_orientation_study

from mtl_test_utils import REPO


def test_report_and_png(tmp_path, run_tool):
    generate_orientation_study(str(tmp_path / 'data'), num_train=12, num_val=6)
    out = tmp_path / 'diag'
    data = f'{tmp_path / "data"}/'
    res = run_tool('analysis/task_diagnostics.py',
                   osp.join(REPO, 'configs/multitask/study-3task_tinycnn_20e_orientation-study.py'),
                   'none', '--out-dir', out, '--probe-max-train', '10',
                   '--grid-per-class', '2', '--cfg-options',
                   f'test_dataloader.dataset.data_root={data}',
                   'test_dataloader.num_workers=0',
                   'test_dataloader.persistent_workers=False',
                   f'train_dataloader.dataset.data_root={data}',
                   'train_dataloader.num_workers=0',
                   'train_dataloader.persistent_workers=False')
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
    # linear probes on the frozen backbone and the per-class sample grids
    for task in ('shape', 'orientation'):
        assert report[f'{task}/probe_train_samples'] == 10
        for view in ('flat', 'gap'):
            assert 0 <= report[f'{task}/probe_{view}_accuracy'] <= 1
        grid = out / f'samples_{task}.png'
        assert grid.read_bytes()[:4] == b'\x89PNG'


def test_rejects_non_study_config(tmp_path, run_tool):
    res = run_tool('analysis/task_diagnostics.py',
                   osp.join(REPO, 'configs/multitask/single-cls.py'),
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
        tool.main([osp.join(REPO, 'configs/multitask/study-3task_tinycnn_20e_orientation-study.py'),
                   'none', '--cfg-options', 'test_dataloader.num_worker=0'])


def _tool():
    spec = importlib.util.spec_from_file_location(
        'task_diagnostics', osp.join(REPO, 'tools', 'analysis', 'task_diagnostics.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_linear_probe_separates_separable_and_not_random_labels():
    import torch
    tool = _tool()
    gen = torch.Generator().manual_seed(0)
    # class c lives around the c-th unit vector: linearly separable
    y = torch.arange(300) % 3
    x = torch.eye(3)[y] * 4 + 0.3 * torch.randn(300, 3, generator=gen)
    assert tool.linear_probe(x[:200], y[:200], x[200:], y[200:], 3) == 1.0
    # labels independent of the features: test accuracy near chance (1/3)
    noise = torch.randn(300, 3, generator=gen)
    rand_y = torch.randint(0, 3, (300, ), generator=gen)
    assert tool.linear_probe(noise[:200], rand_y[:200], noise[200:],
                             rand_y[200:], 3) < 0.5


def test_class_grid_places_each_class_on_its_row():
    import numpy as np
    tool = _tool()
    images = np.stack([np.full((4, 4, 3), 10 * i, np.uint8) for i in range(5)])
    labels = np.array([1, 0, 1, 1, 2])
    grid = tool.class_grid(images, labels, num_classes=3, per_class=2, pad=1)
    assert grid.shape == (3 * 5, 2 * 5, 3)
    cell = lambda r, c: grid[r * 5:r * 5 + 4, c * 5:c * 5 + 4]  # noqa: E731
    assert (cell(0, 0) == 10).all()                  # class 0: image 1
    assert (cell(1, 0) == 0).all() and (cell(1, 1) == 20).all()  # images 0, 2
    assert (cell(2, 0) == 40).all() and (cell(2, 1) == 255).all()  # one image
    assert (grid[4, :] == 255).all()                 # padding row

