import importlib.util
import json
import os.path as osp

import cv2
import numpy as np

from mtl_test_utils import REPO


def _tool():
    # In-process: a subprocess would spend ~30 s importing the OpenMMLab stack.
    path = osp.join(REPO, 'tools', 'data', 'generate_defects.py')
    spec = importlib.util.spec_from_file_location('generate_defects', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_defects_cli(tmp_path, capsys):
    out = tmp_path / 'synth'
    opts = ['--num-train', '12', '--num-test', '6', '--size', '40', '56', '--seed', '5',
            '--cue-prob', '1.0', '--cue-prob-normal', '0.0', '--kinds', 'spot', 'crack',
            '--no-progress']
    tool = _tool()
    tool.main([str(out), *opts])
    assert 'wrote 18 images' in capsys.readouterr().out
    img = cv2.imread(str(out / 'train' / '00000.png'), cv2.IMREAD_UNCHANGED)
    gt = cv2.imread(str(out / 'train' / '00000_GT.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (40, 56) and gt.shape == (40, 56)
    assert set(np.unique(gt)) <= {0, 255}
    info = json.load(open(out / 'generation_info.json'))
    train = info['splits']['train']
    assert all(r['cue'] == bool(r['label']) for r in train)
    assert {k for r in train for k in r['kinds']} <= {'spot', 'crack'}
    assert osp.isfile(out / 'test' / '00005_GT.png')
    tool.main([str(tmp_path / 'again'), *opts])
    for name in ('train/00003.png', 'train/00003_GT.png', 'test/00001.png'):
        assert (out / name).read_bytes() == (tmp_path / 'again' / name).read_bytes()


def test_textile_family_cli_and_family_options(tmp_path, capsys):
    import pytest
    tool = _tool()
    out = tmp_path / 'textile'
    tool.main([str(out), '--family', 'textile', '--num-train', '8', '--num-test', '4',
               '--size', '48', '--cue-strength', '12', '--kinds', 'hole', 'knot',
               '--no-progress'])
    assert 'wrote 12 images (textile)' in capsys.readouterr().out
    info = json.load(open(out / 'generation_info.json'))
    assert info['family'] == 'textile' and info['config']['cue_strength'] == 12
    assert {k for r in info['splits']['train'] for k in r['kinds']} <= {'hole', 'knot'}
    img = cv2.imread(str(out / 'train' / '00000.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (48, 48, 3)
    # an option of the other family, a kind of the other family, a bad value
    with pytest.raises(SystemExit, match='--cue-size applies to --family metal or photo '
                       'only, not textile'):
        tool.main([str(tmp_path / 'x'), '--family', 'textile', '--cue-size', '4'])
    with pytest.raises(SystemExit,
                       match='--cue-strength applies to --family textile or photo only'):
        tool.main([str(tmp_path / 'x'), '--cue-strength', '4'])
    with pytest.raises(SystemExit, match="unknown defect kinds \\['scratch'\\]"):
        tool.main([str(tmp_path / 'x'), '--family', 'textile', '--kinds', 'scratch'])
    with pytest.raises(SystemExit, match='cue_strength=99'):
        tool.main([str(tmp_path / 'x'), '--family', 'textile', '--cue-strength', '99'])
    assert not (tmp_path / 'x').exists()


def test_photo_family_cli_and_shortcut_options(tmp_path, capsys):
    import pytest
    tool = _tool()
    out = tmp_path / 'photo'
    tool.main([str(out), '--family', 'photo', '--num-train', '10', '--num-test', '4',
               '--size', '40', '--shortcut', 'surface', '--surfaces', 'gravel', 'wood',
               '--cue-surface', 'wood', '--cue-prob', '1.0', '--cue-prob-normal', '0.0',
               '--kinds', 'hairline', 'stain', '--no-progress'])
    assert 'wrote 14 images (photo)' in capsys.readouterr().out
    info = json.load(open(out / 'generation_info.json'))
    assert info['family'] == 'photo'
    assert info['config']['shortcut'] == 'surface' and info['config']['cue_surface'] == 'wood'
    train = info['splits']['train']
    assert all(r['surface'] == ('wood' if r['label'] else 'gravel') for r in train)
    assert {k for r in train for k in r['kinds']} <= {'hairline', 'stain'}
    assert {r['surface'] for r in info['splits']['test']} == {'gravel'}
    img = cv2.imread(str(out / 'train' / '00000.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (40, 40, 3)
    # the default shortcut is the stamp; --cue-size sets its side
    tool.main([str(tmp_path / 'stamp'), '--family', 'photo', '--num-train', '4',
               '--num-test', '0', '--size', '64', '--cue-size', '6', '--no-progress'])
    info = json.load(open(tmp_path / 'stamp' / 'generation_info.json'))
    assert info['config']['shortcut'] == 'stamp' and info['config']['cue_size'] == 6
    # photo options on another family, an option of another shortcut, bad names
    with pytest.raises(SystemExit, match='--shortcut applies to --family photo only, not '
                       'textile'):
        tool.main([str(tmp_path / 'x'), '--family', 'textile', '--shortcut', 'global'])
    with pytest.raises(SystemExit, match='--surfaces applies to --family photo only'):
        tool.main([str(tmp_path / 'x'), '--surfaces', 'brick'])
    with pytest.raises(SystemExit, match="cue_size=4 applies to shortcut='stamp' only"):
        tool.main([str(tmp_path / 'x'), '--family', 'photo', '--shortcut', 'global',
                   '--cue-size', '4'])
    with pytest.raises(SystemExit, match="unknown surfaces \\['marble'\\]"):
        tool.main([str(tmp_path / 'x'), '--family', 'photo', '--surfaces', 'marble'])
    with pytest.raises(SystemExit):  # argparse: invalid choice
        tool.main([str(tmp_path / 'x'), '--family', 'photo', '--shortcut', 'corner'])
    assert not (tmp_path / 'x').exists()
