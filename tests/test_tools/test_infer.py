"""tools/infer.py on generated images: GAIN (folder input, JSON, overlays,
maps), the multi-task detector-segmentor and the retail detector."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mtl_test_utils import REPO

from mtl_plugin.apis import build_model, load_config



def _tool():
    spec = importlib.util.spec_from_file_location('infer_tool',
                                                  osp.join(REPO, 'tools', 'infer.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checkpoint(config, path):
    cfg = load_config(config)
    torch.manual_seed(0)
    torch.save(dict(state_dict=build_model(cfg).state_dict()), path)
    return str(path)


def _images(folder, size, n=2):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        cv2.imwrite(str(folder / f'img_{i}.png'),
                    rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    return str(folder)


def test_gain_folder_json_overlays_and_maps(tmp_path, capsys):
    config = osp.join(REPO, 'configs', 'gain', 'demo.py')
    ckpt = _checkpoint(config, tmp_path / 'gain.pth')
    folder = _images(tmp_path / 'imgs', (80, 60))
    # a KolektorSDD2-style mask beside its image, and a file that is no image
    cv2.imwrite(osp.join(folder, 'img_0_GT.png'), np.zeros((60, 80), np.uint8))
    with open(osp.join(folder, 'notes.txt'), 'w') as f:
        f.write('not an image')
    out = tmp_path / 'out'
    _tool().main([config, ckpt, folder, '--out-dir', str(out), '--save-maps',
                  '--cfg-options', 'model.test_cfg.score_thr=0.25'])
    summary = json.loads((out / 'summary.json').read_text())
    assert [osp.basename(r['img_path']) for r in summary] == ['img_0.png', 'img_1.png']
    printed = capsys.readouterr().out
    assert '1 file(s) of the input folders left out by --exclude *_GT.* *_mask.*' in printed
    assert 'img_0_GT.png' in printed
    for record in summary:
        pred = json.loads((out / 'preds' / f"{osp.basename(record['img_path'])[:-4]}.json")
                          .read_text())
        assert pred == record
        assert pred['score_thr'] == 0.25
        assert pred['label'] == int(pred['score'] >= 0.25)
        assert pred['label_name'] == ('defect' if pred['label'] else 'normal')
        maps = np.load(out / pred['maps_file'])
        assert set(maps.files) == {'cam', 'attention', 'loc'}
        assert maps['cam'].shape == (60, 80)  # image size (h, w)
        vis = cv2.imread(str(out / pred['vis_file']))
        assert vis is not None and vis.shape[1] > 3 * 80


@pytest.mark.parametrize('config, size', [
    ('multitask/multitask_mnv3_fpn_fixed.py', (64, 64)),
    ('retail/retinanet_dense_r18_fpn_shelves_cpu.py', (96, 80)),
])
def test_detection_workloads(tmp_path, config, size):
    config = osp.join(REPO, 'configs', config)
    ckpt = _checkpoint(config, tmp_path / 'det.pth')
    folder = _images(tmp_path / 'imgs', size)
    out = tmp_path / 'out'
    _tool().main([config, ckpt, folder, '--out-dir', str(out), '--det-thr', '0.0'])
    summary = json.loads((out / 'summary.json').read_text())
    assert len(summary) == 2
    for record in summary:
        boxes = np.asarray(record['boxes']).reshape(-1, 4)
        assert len(boxes) == len(record['scores']) == len(record['label_names'])
        # boxes are in original-image pixels
        assert (boxes[:, 2] <= size[0] + 1e-3).all() and (boxes[:, 3] <= size[1] + 1e-3).all()
        assert cv2.imread(str(out / record['vis_file'])) is not None
        if 'multitask' in config:
            seg = cv2.imread(str(out / record['sem_seg_file']), cv2.IMREAD_UNCHANGED)
            assert seg.shape == (size[1], size[0])
            assert record['image_label_name'].endswith('_dominant')


def test_exclude_patterns_and_keeping_every_image(tmp_path):
    tool = _tool()
    folder = _images(tmp_path / 'imgs', (8, 8), n=3)
    for name in ('img_0_GT.png', 'img_1_mask.png', '.hidden.png'):
        cv2.imwrite(osp.join(folder, name), np.zeros((8, 8), np.uint8))
    names = lambda paths: [osp.basename(p) for p in paths]  # noqa: E731
    files, excluded = tool.collect_inputs([folder])
    assert names(files) == ['img_0.png', 'img_1.png', 'img_2.png']
    assert names(excluded) == ['img_0_GT.png', 'img_1_mask.png']
    files, excluded = tool.collect_inputs([folder], exclude=[])
    assert names(files) == ['img_0.png', 'img_0_GT.png', 'img_1.png', 'img_1_mask.png',
                            'img_2.png'] and excluded == []
    files, _ = tool.collect_inputs([folder], exclude=['img_[12]*'])
    assert names(files) == ['img_0.png', 'img_0_GT.png']
    # a file named on the command line is kept whatever its name
    files, _ = tool.collect_inputs([osp.join(folder, 'img_0_GT.png')])
    assert names(files) == ['img_0_GT.png']
    with pytest.raises(FileNotFoundError, match=r'5 left out by --exclude img\*'):
        tool.collect_inputs([folder], exclude=['img*'])
    assert tool.parse_args(['c.py', 'k.pth', folder, '--out-dir', 'o',
                            '--exclude']).exclude == []


def test_exclude_help_names_the_default_patterns(capsys):
    from mtl_plugin.apis.image_inputs import MASK_PATTERNS
    with pytest.raises(SystemExit):
        _tool().parse_args(['--help'])
    assert ' '.join(MASK_PATTERNS) in ' '.join(capsys.readouterr().out.split())


def test_missing_input_is_named(tmp_path):
    with pytest.raises(SystemExit, match='nope.png'):
        _tool().main([osp.join(REPO, 'configs', 'gain', 'demo.py'), 'x.pth',
                      str(tmp_path / 'nope.png'), '--out-dir', str(tmp_path)])
