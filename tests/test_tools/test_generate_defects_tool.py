import json
import os.path as osp

import cv2
import numpy as np


def test_generate_defects_cli(tmp_path, run_tool):
    out = tmp_path / 'synth'
    args = ['data/generate_defects.py', out, '--num-train', 12, '--num-test', 6,
            '--size', 40, 56, '--seed', 5, '--cue-prob', 1.0, '--cue-prob-normal', 0.0,
            '--kinds', 'spot', 'crack']
    res = run_tool(*args)
    assert res.returncode == 0, res.stderr
    assert 'wrote 18 images' in res.stdout
    img = cv2.imread(str(out / 'train' / '00000.png'), cv2.IMREAD_UNCHANGED)
    gt = cv2.imread(str(out / 'train' / '00000_GT.png'), cv2.IMREAD_UNCHANGED)
    assert img.shape == (40, 56) and gt.shape == (40, 56)
    assert set(np.unique(gt)) <= {0, 255}
    info = json.load(open(out / 'generation_info.json'))
    train = info['splits']['train']
    assert all(r['cue'] == bool(r['label']) for r in train)
    assert {k for r in train for k in r['kinds']} <= {'spot', 'crack'}
    first = open(out / 'train' / '00003.png', 'rb').read()
    res = run_tool(args[0], tmp_path / 'again', *args[2:])
    assert res.returncode == 0, res.stderr
    assert open(tmp_path / 'again' / 'train' / '00003.png', 'rb').read() == first
    assert osp.isfile(out / 'test' / '00005_GT.png')
