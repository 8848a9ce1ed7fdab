"""tools/dataset_converters/sku110k_to_coco.py, tools/data/generate_shelves.py
and tools/analysis/retail_*.py, run in-process on tiny inputs (tools/train.py
and tools/test.py: test_retail_train_test_tools.py)."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.fileio import dump
from PIL import Image

from mtl_test_utils import REPO


def _tool(relpath):
    spec = importlib.util.spec_from_file_location(
        osp.basename(relpath)[:-3], osp.join(REPO, 'tools', relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sku110k_to_coco(tmp_path, capsys):
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(img_dir / 'a.jpg')
    csv = tmp_path / 'ann.csv'
    csv.write_text('a.jpg,1,2,11,12,object,40,30\n'
                   'a.jpg,-5,3,10,35,object,40,30\n'
                   'a.jpg,20,5,20,9,object,40,30\n'
                   'b.jpg,0,0,10,10,object,40,30\n')
    out = tmp_path / 'coco.json'
    tool = _tool('dataset_converters/sku110k_to_coco.py')
    with pytest.raises(SystemExit, match=r'1 images .* missing .*b\.jpg'):
        tool.main([str(csv), str(out), '--img-dir', str(img_dir)])
    tool.main([str(csv), str(out), '--img-dir', str(img_dir),
               '--skip-missing'])
    coco = json.loads(out.read_text())
    assert coco['images'] == [dict(id=0, file_name='a.jpg', width=40,
                                   height=30)]
    assert [a['bbox'] for a in coco['annotations']] == [[1, 2, 10, 10],
                                                        [0, 3, 10, 27]]
    assert [a['area'] for a in coco['annotations']] == [100, 270]
    assert coco['categories'] == [dict(id=1, name='object')]
    printed = capsys.readouterr().out
    assert '1 clipped' in printed and '1 zero-area' in printed
    assert 'b.jpg' in printed


def test_generate_shelves(tmp_path):
    _tool('data/generate_shelves.py').main(
        [str(tmp_path), '--num-train', '2', '--num-val', '1', '--width', '96',
         '--height', '96', '--min-objects', '15', '--max-objects', '30'])
    rows = (tmp_path / 'annotations' / 'annotations_train.csv').read_text()
    names = {r.split(',')[0] for r in rows.splitlines()}
    assert names == {'train_0.jpg', 'train_1.jpg'}
    assert (tmp_path / 'images' / 'val_0.jpg').is_file()


@pytest.fixture
def dump_pkl(tmp_path):
    # Image 0: 3 GT; detections: exact (0.9), off by a little (0.8, IoU 0.9),
    # a false positive (0.7). Image 1: 1 GT, missed.
    gt0 = [[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10]]
    samples = [
        dict(instances=[dict(bbox=b, bbox_label=0, ignore_flag=0)
                        for b in gt0],
             pred_instances=dict(
                 bboxes=torch.tensor([[0, 0, 10, 10], [20, 0, 29, 10],
                                      [60, 0, 70, 10]], dtype=torch.float),
                 scores=torch.tensor([0.9, 0.8, 0.7]),
                 labels=torch.zeros(3, dtype=torch.long))),
        dict(instances=[dict(bbox=[0, 0, 5, 5], bbox_label=0,
                             ignore_flag=0)],
             pred_instances=dict(bboxes=torch.zeros(0, 4),
                                 scores=torch.zeros(0),
                                 labels=torch.zeros(0, dtype=torch.long))),
    ]
    path = str(tmp_path / 'preds.pkl')
    dump(samples, path)
    return path


def test_best_f1(dump_pkl, tmp_path, capsys):
    out = tmp_path / 'f1.json'
    _tool('analysis/retail_best_f1.py').main([dump_pkl, '--json', str(out)])
    best = json.loads(out.read_text())
    # score >= 0.8: P 2/2, R 2/4 -> F1 2/3; score >= 0.7: P 2/3, R 2/4 -> 4/7.
    assert best['threshold'] == pytest.approx(0.8)
    assert best['f1'] == pytest.approx(2 / 3)
    assert best['num_gts'] == 4 and best['num_dets'] == 3
    assert 'best F1 0.6667' in capsys.readouterr().out


def test_pr_curve_and_iou_histogram_write_pngs(dump_pkl, tmp_path, capsys):
    pr_png, hist_png = tmp_path / 'pr.png', tmp_path / 'iou.png'
    _tool('analysis/retail_pr_curve.py').main([dump_pkl, '--out',
                                               str(pr_png)])
    _tool('analysis/retail_iou_histogram.py').main(
        [dump_pkl, '--out', str(hist_png), '--score-thr', '0.75'])
    for png in (pr_png, hist_png):
        assert Image.open(png).size[0] > 100
    out = capsys.readouterr().out
    assert '2 matched detections, median IoU 0.950' in out
    assert '0 unmatched' in out


def test_dump_without_instances_is_refused(tmp_path):
    path = str(tmp_path / 'bad.pkl')
    dump([dict(pred_instances=dict(bboxes=torch.zeros(0, 4),
                                   scores=torch.zeros(0)))], path)
    with pytest.raises(ValueError, match=r"bad.pkl: sample 0 has no "
                                         r"'instances'"):
        _tool('analysis/retail_best_f1.py').main([path])

