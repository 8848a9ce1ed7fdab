"""tools/infer.py on generated images: GAIN (folder input, JSON, overlays,
maps), the multi-task detector-segmentor and the retail detector; unreadable
files skipped and listed (or fatal with --on-error fail); the tool and the
Python API give the same files."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mtl_plugin.apis import (
    DefectInferencer,
    MultiTaskInferencer,
    UnreadableImageError,
    build_model,
    collect_inputs,
    inferencer_for,
    load_config,
)

from mtl_test_utils import REPO


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
    with pytest.raises(SystemExit) as exit_info:
        _tool().main([config, ckpt, folder, '--out-dir', str(out), '--save-maps',
                      '--cfg-options', 'model.test_cfg.score_thr=0.25'])
    assert exit_info.value.code == 0
    summary = json.loads((out / 'summary.json').read_text())
    records = summary['predictions']
    assert [osp.basename(r['img_path']) for r in records] == ['img_0.png', 'img_1.png']
    assert summary['num_images'] == 2 and summary['skipped'] == []
    assert [osp.basename(p) for p in summary['excluded']] == ['img_0_GT.png']
    printed = capsys.readouterr().out
    assert '1 folder file(s) left out by --exclude *_GT.* *_mask.*' in printed
    assert 'img_0_GT.png' in printed and f'results in {out}' in printed
    for record in records:
        pred = json.loads((out / 'preds' / f"{osp.basename(record['img_path'])[:-4]}.json")
                          .read_text())
        assert pred == record
        assert pred['score_thr'] == 0.25
        assert pred['label'] == int(pred['score'] >= 0.25)
        assert pred['label_name'] == ('defect' if pred['label'] else 'normal')
        maps = np.load(out / pred['maps_file'])
        assert set(maps.files) == {'cam', 'loc'}  # demo.py has no attention head
        assert maps['cam'].shape == (60, 80)  # image size (h, w)
        vis = cv2.imread(str(out / pred['vis_file']))
        assert vis is not None and vis.shape[1] > 3 * 80


def _bad_files(folder):
    """An empty file, a truncated PNG and a text file named .png."""
    good = open(osp.join(folder, 'img_0.png'), 'rb').read()
    with open(osp.join(folder, 'a_empty.png'), 'wb'):
        pass
    with open(osp.join(folder, 'b_truncated.png'), 'wb') as f:
        f.write(good[:len(good) // 2])
    with open(osp.join(folder, 'c_text.png'), 'w') as f:
        f.write('not an image')


def test_unreadable_files_are_skipped_listed_and_fail_the_exit_status(tmp_path, capsys):
    config = osp.join(REPO, 'configs', 'gain', 'demo.py')
    ckpt = _checkpoint(config, tmp_path / 'gain.pth')
    folder = _images(tmp_path / 'imgs', (40, 30), n=3)
    _bad_files(folder)
    out = tmp_path / 'out'
    with pytest.raises(SystemExit) as exit_info:
        _tool().main([config, ckpt, folder, '--out-dir', str(out), '--batch-size', '2'])
    assert exit_info.value.code == 1
    summary = json.loads((out / 'summary.json').read_text())
    assert [osp.basename(r['img_path']) for r in summary['predictions']] == [
        'img_0.png', 'img_1.png', 'img_2.png']  # every good image has its result
    reasons = {osp.basename(s['img_path']): s['reason'] for s in summary['skipped']}
    assert reasons['a_empty.png'] == 'empty file (0 bytes)'
    assert reasons['b_truncated.png'].startswith('not a decodable image')
    assert reasons['c_text.png'].startswith('not a decodable image')
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert '3 image(s)' in line and '3 skipped, unreadable' in line
    assert 'a_empty.png (empty file (0 bytes))' in line
    for name in ('img_0', 'img_1', 'img_2'):
        assert (out / 'preds' / f'{name}.json').is_file()
    # --on-error fail: stops at the first one, naming it
    with pytest.raises(SystemExit, match=r"a_empty.png.*empty file"):
        _tool().main([config, ckpt, folder, '--out-dir', str(tmp_path / 'o2'),
                      '--on-error', 'fail'])
    # the Python API has the same policy as a parameter
    inferencer = DefectInferencer(config, ckpt, show_progress=False)
    with pytest.raises(UnreadableImageError, match='a_empty.png'):
        inferencer(folder, on_error='fail')
    assert len(inferencer(folder)['skipped']) == 3


def test_api_and_cli_give_the_same_files_on_a_kolektorsdd2_folder(tmp_path):
    """The inferencer leaves mask files out of folders by default, as the
    tool does, and writes the same outputs."""
    config = osp.join(REPO, 'configs', 'gain', 'demo.py')
    ckpt = _checkpoint(config, tmp_path / 'gain.pth')
    folder = _images(tmp_path / 'test', (48, 48), n=3)
    for i in range(3):
        cv2.imwrite(osp.join(folder, f'img_{i}_GT.png'), np.zeros((48, 48), np.uint8))
    api = DefectInferencer(config, ckpt, show_progress=False)(
        folder, batch_size=4, out_dir=str(tmp_path / 'api'), save_maps=True)
    assert len(api['predictions']) == 3 and len(api['excluded']) == 3
    with pytest.raises(SystemExit):
        _tool().main([config, ckpt, folder, '--out-dir', str(tmp_path / 'cli'),
                      '--save-maps'])
    for sub in ('summary.json', 'preds/img_1.json'):
        assert (tmp_path / 'api' / sub).read_text() == (tmp_path / 'cli' / sub).read_text()
    np.testing.assert_array_equal(np.load(tmp_path / 'api/maps/img_2.npz')['cam'],
                                  np.load(tmp_path / 'cli/maps/img_2.npz')['cam'])


def test_inferencer_is_chosen_by_the_registered_model_type():
    for config, cls in (('gain/demo.py', DefectInferencer),
                        ('gain/s1.py', DefectInferencer),
                        ('multitask/multitask-fixed.py', MultiTaskInferencer),
                        ('retail/retinanet-dense_r18-half_fpn_8e_shelves.py',
                         MultiTaskInferencer)):
        assert inferencer_for(load_config(osp.join(REPO, 'configs', config))) is cls
    # a subclass of GAINMTL registered under another name is still a GAINMTL
    from mtl_plugin.models.classifiers.gain_mtl import GAINMTL
    from mtl_plugin.registry import MODELS

    @MODELS.register_module(name='GAINMTLSubclassForTest', force=True)
    class Sub(GAINMTL):
        pass

    cfg = load_config(osp.join(REPO, 'configs', 'gain', 'demo.py'))
    cfg.model.type = 'GAINMTLSubclassForTest'
    assert inferencer_for(cfg) is DefectInferencer
    cfg.model.type = 'NoSuchModel'
    with pytest.raises(KeyError, match='NoSuchModel'):
        inferencer_for(cfg)


@pytest.mark.parametrize('config, size', [
    ('multitask/multitask-fixed.py', (64, 64)),
    ('retail/retinanet-dense_r18-half_fpn_8e_shelves.py', (96, 80)),
])
def test_detection_workloads(tmp_path, config, size):
    config = osp.join(REPO, 'configs', config)
    ckpt = _checkpoint(config, tmp_path / 'det.pth')
    folder = _images(tmp_path / 'imgs', size)
    out = tmp_path / 'out'
    with pytest.raises(SystemExit) as exit_info:
        _tool().main([config, ckpt, folder, '--out-dir', str(out), '--det-thr', '0.0'])
    assert exit_info.value.code == 0
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['num_images'] == 2
    for record in summary['predictions']:
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
    folder = _images(tmp_path / 'imgs', (8, 8), n=3)
    for name in ('img_0_GT.png', 'img_1_mask.png', '.hidden.png'):
        cv2.imwrite(osp.join(folder, name), np.zeros((8, 8), np.uint8))
    names = lambda paths: [osp.basename(p) for p in paths]  # noqa: E731
    files, excluded = collect_inputs([folder])
    assert names(files) == ['img_0.png', 'img_1.png', 'img_2.png']
    assert names(excluded) == ['img_0_GT.png', 'img_1_mask.png']
    files, excluded = collect_inputs([folder], exclude=[])
    assert names(files) == ['img_0.png', 'img_0_GT.png', 'img_1.png', 'img_1_mask.png',
                            'img_2.png'] and excluded == []
    files, _ = collect_inputs([folder], exclude=['img_[12]*'])
    assert names(files) == ['img_0.png', 'img_0_GT.png']
    # a file named on the command line is kept whatever its name
    files, _ = collect_inputs([osp.join(folder, 'img_0_GT.png')])
    assert names(files) == ['img_0_GT.png']
    with pytest.raises(FileNotFoundError, match=r'5 left out by --exclude img\*'):
        collect_inputs([folder], exclude=['img*'])
    with pytest.raises(ValueError, match='share the file name'):
        collect_inputs([folder, osp.join(folder, 'img_0.png')])
    assert _tool().parse_args(['c.py', 'k.pth', folder, '--out-dir', 'o',
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
