"""tools/analysis/shortcut_audit.py on a random-init configs/gain/demo.py
checkpoint: the printed table and verdict, audit.json, the per-image CSV
and the example PNGs."""
import csv
import importlib.util
import json
import os.path as osp

import cv2
import pytest
import torch

from mtl_plugin.apis import build_model, load_config

from mtl_test_utils import REPO

INPUT = 64


def _tool():
    spec = importlib.util.spec_from_file_location(
        'shortcut_audit_tool', osp.join(REPO, 'tools', 'analysis', 'shortcut_audit.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """(config path, checkpoint path): demo.py at 64 px on 16 generated
    images (8 in val), random weights saved as a checkpoint."""
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = tmp_path_factory.mktemp('audit_tool')
    data = str(root / 'data')
    generate_defect_dataset(MetalDefectGeneratorConfig(
        height=INPUT, width=INPUT, num_train=16, num_test=2, seed=2), data,
        progress=False)
    config = root / 'demo_64.py'
    config.write_text(
        f"_base_ = [{osp.join(REPO, 'configs', 'gain', 'demo.py')!r}]\n"
        f"val_dataloader = dict(dataset=dict(data_root={data!r}, val_ratio=0.5, "
        "pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadDefectMask'), "
        f"dict(type='Resize', scale=({INPUT}, {INPUT}), keep_ratio=False), "
        "dict(type='PackMultiTaskInputs')]))\n")
    torch.manual_seed(0)
    model = build_model(load_config(str(config)))
    ckpt = root / 'random.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return str(config), str(ckpt)


def test_cli_writes_its_files(run, tmp_path, capsys):
    config, ckpt = run
    out = tmp_path / 'audit'
    # every image called defect: all defects audited, no normal host
    _tool().main([config, ckpt, '--out-dir', str(out), '--score-thr', '0',
                  '--steps', '2', '--num-examples', '2', '--blend', 'poisson'])
    printed = capsys.readouterr().out
    assert '| necessity | 0.000 | 4 |' in printed  # a score >= 0 never flips
    assert 'verdict: FLAG (necessity 0.000 < 0.5 (n=4)' not in printed  # n < 5
    assert 'verdict: INCONCLUSIVE' in printed and 'map:' in printed
    audit = json.loads((out / 'audit.json').read_text())
    s = audit['summary']
    assert (s['num_images'], s['num_defect'], s['num_normal']) == (8, 4, 4)
    assert s['necessity_n'] == 4 and s['sufficiency_n'] == 0
    assert s['sufficiency'] is None  # NaN in JSON
    assert s['map_n'] == 4 and 0 <= s['deletion_auc'] <= 1
    assert audit['settings']['blend'] == 'poisson' and audit['settings']['num_steps'] == 2
    assert audit['operating_point']['source'].endswith('score_thr given')
    assert audit['score_thr_request'] == 0.0
    assert audit['checkpoint'] == ckpt and audit['split'] == 'val'
    assert audit['run_time_s'] > 0 and audit['seconds_per_100_images'] > 0
    assert audit['verdict']['rule'].startswith('PASS iff necessity >= 0.5')
    with open(out / 'per_image.csv') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    assert sum(r['necessity_score'] != '' for r in rows) == 4
    assert all(r['deletion_auc'] != '' for r in rows if r['label'] == 'defect')
    assert [e['file'] for e in audit['examples']] == [
        'examples/defect_000.png', 'examples/defect_001.png']
    png = cv2.imread(str(out / audit['examples'][0]['file']))
    # original | necessity | context swap, each 64 px wide, 2 px apart
    assert png.shape[1] == 3 * INPUT + 2 * 2 and png.shape[0] > INPUT


def test_cli_options_and_errors(run, tmp_path, capsys):
    config, ckpt = run
    with pytest.raises(SystemExit) as exit_info:
        _tool().main([config, ckpt, '--out-dir', str(tmp_path / 'a'), '--score-thr',
                      '0', '--no-maps', '--fill', 'blur', '--blur-size', '5', '--min-images', '2',
                      '--fail-on-flag'])
    assert exit_info.value.code == 1  # FLAG: necessity 0 on 4 >= 2 images
    audit = json.loads((tmp_path / 'a' / 'audit.json').read_text())
    assert audit['maps'] is False and audit['verdict']['map_verdict'] == 'n/a'
    assert audit['verdict']['verdict'] == 'FLAG' and audit['settings']['fill'] == 'blur'
    assert audit['settings']['blur_size'] == 5
    with pytest.raises(SystemExit, match='checkpoint not found'):
        _tool().main([config, str(tmp_path / 'missing.pth')])
    with pytest.raises(SystemExit):
        _tool().main([config, ckpt, '--blend', 'glue'])
    assert "--blend: invalid choice: 'glue'" in capsys.readouterr().err
    with pytest.raises(SystemExit, match='max_context_swap'):
        _tool().main([config, ckpt, '--max-context-swap', '3'])
