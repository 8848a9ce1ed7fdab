"""tools/analysis/cam_resolution_ceiling.py: oracle CAM-IoU per grid size."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
from mmengine.structures import PixelData

from mtl_plugin.structures import MultiTaskDataSample

from mtl_test_utils import REPO


def _tool():
    path = osp.join(REPO, 'tools', 'analysis', 'cam_resolution_ceiling.py')
    spec = importlib.util.spec_from_file_location('cam_resolution_ceiling',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sample(mask, label=1):
    s = MultiTaskDataSample()
    s.gt_label = torch.tensor([label])
    s.gt_sem_seg = PixelData(data=mask[None].long())
    return s


def test_oracle_iou_known_values():
    mask = torch.zeros(8, 8)
    mask[:4, :4] = 1  # the top-left cell of a 2x2 grid
    normal = _sample(torch.zeros(8, 8), label=0)  # not scored
    res = _tool().ceiling([_sample(mask), normal], [1, 2, 8], {})
    # 8x8 grid = input resolution: the oracle map is the mask itself.
    assert res[8]['iou'] == pytest.approx(1.0)
    assert res[8]['point_game'] == pytest.approx(1.0)
    assert res[8]['num_images'] == 1
    # 1x1: a constant map, min-max normalised to 0 -> nothing >= 0.5.
    assert res[1]['iou'] == pytest.approx(0.0)
    # 2x2 cells [[1, 0], [0, 0]] upsampled x4 (bilinear, align_corners=False)
    # = outer product of the row/column profile 1, 1, .875, .625, .375, .125,
    # 0, 0: >= 0.5 on the 4x4 top-left block except (3, 3) (.625^2 < .5), all
    # inside the mask -> IoU 15 / 16.
    assert res[2]['iou'] == pytest.approx(15 / 16)


def test_cli_on_generated_defects(tmp_path, run_tool):
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    generate_defect_dataset(MetalDefectGeneratorConfig(height=64, width=64,
                                                  num_train=2, num_test=6,
                                                  seed=0),
                            str(tmp_path / 'data'), progress=False)
    out = tmp_path / 'ceiling.json'
    res = run_tool('analysis/cam_resolution_ceiling.py',
                   osp.join(REPO, 'configs/gain/demo.py'), '--grids', '2', '64',
                   '--out', out, '--cfg-options',
                   f'test_dataloader.dataset.data_root={tmp_path / "data"}',
                   "test_dataloader.dataset.pipeline.2.scale=(64,64)")
    assert res.returncode == 0, res.stderr[-2000:]
    results = json.loads(out.read_text())
    assert results['64']['iou'] == pytest.approx(1.0)
    assert 0.0 <= results['2']['iou'] < 1.0
    assert results['2']['num_images'] == results['64']['num_images'] > 0
    assert 'cam/iou' in res.stdout


def test_misspelt_cfg_option_is_rejected():
    with pytest.raises(SystemExit, match="'data_rot' does not exist under "
                       r"test_dataloader.dataset; did you mean \['data_root'\]"):
        _tool().main([osp.join(REPO, 'configs/gain/demo.py'), '--cfg-options',
                      'test_dataloader.dataset.data_rot=/tmp/x'])
