"""DefectInferencer on generated images vs tools/test.py --out on the same files."""
import importlib.util
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.apis.defect_inferencer import DefectInferencer
from mtl_plugin.apis.inference_pipeline import inference_pipeline_cfg

from mtl_test_utils import REPO

DEMO = osp.join(REPO, 'configs', 'gain', 'demo.py')
SIZE = 96  # image size; demo.py's network input is 128 px


@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    """4 generated test images, a random-init demo checkpoint, the test dump."""
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = tmp_path_factory.mktemp('inferencer')
    data = str(root / 'data')
    generate_defect_dataset(MetalDefectGeneratorConfig(height=SIZE, width=SIZE,
                                                  num_train=4, num_test=4,
                                                  seed=1), data, progress=False)
    torch.manual_seed(0)
    model = build_model(load_config(DEMO))
    ckpt = str(root / 'demo.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    options = [f'test_dataloader.dataset.data_root={data}',
               'test_dataloader.num_workers=0',
               'test_dataloader.persistent_workers=False']
    dump = str(root / 'preds.pkl')
    spec = importlib.util.spec_from_file_location(
        'test_tool', osp.join(REPO, 'tools', 'test.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main([DEMO, ckpt, '--work-dir', str(root / 'work'), '--out', dump,
               '--cfg-options', *options])
    with open(dump, 'rb') as f:
        records = pickle.load(f)
    return dict(data=data, ckpt=ckpt, records=records)


def test_pipeline_drops_mask_loading():
    steps = [t['type'] for t in inference_pipeline_cfg(load_config(DEMO))]
    assert 'LoadDefectMask' not in steps
    assert steps[0] == 'mmdet.InferencerLoader'


def test_matches_tools_test_on_the_same_images(demo_run, tmp_path):
    inferencer = DefectInferencer(DEMO, demo_run['ckpt'], device='cpu',
                                  show_progress=False)
    folder = osp.join(demo_run['data'], 'test')
    # the folder holds images and their _GT masks: infer on the images only
    images = sorted(osp.join(folder, f) for f in os.listdir(folder)
                    if not f.endswith('_GT.png'))
    out = inferencer(images, batch_size=3, out_dir=str(tmp_path))
    by_path = {r['img_path']: r for r in demo_run['records']}
    assert len(out['predictions']) == len(images) == len(by_path)
    for pred in out['predictions']:
        ref = by_path[pred['img_path']]
        assert pred['score'] == pytest.approx(float(ref['pred_score'][1]), abs=1e-6)
        assert pred['label'] == int(ref['pred_label'][0])
        assert pred['label'] == int(pred['score'] >= pred['score_thr'])
        assert 'attention' not in pred  # demo.py has no attention head
        for name, field in (('cam', 'pred_cam'), ('loc', 'pred_loc')):
            assert pred[name].shape == (SIZE, SIZE)  # the image, not the input
            ref_map = F.interpolate(ref[field]['data'][None].float(), size=(SIZE, SIZE),
                                    mode='bilinear', align_corners=False)[0, 0]
            np.testing.assert_allclose(pred[name], ref_map.numpy(), atol=1e-5)
        panel = cv2.imread(str(tmp_path / 'vis' / osp.basename(pred['img_path'])))
        assert panel is not None and panel.shape[0] > SIZE
    # the folder itself gives the same images: its _GT masks are left out
    from_folder = inferencer(folder, batch_size=3)
    assert [p['img_path'] for p in from_folder['predictions']] == images
    assert len(from_folder['excluded']) == len(images)


def test_arrays_folder_and_threshold_option(demo_run):
    folder = osp.join(demo_run['data'], 'test')
    name = sorted(f for f in os.listdir(folder) if not f.endswith('_GT.png'))[0]
    img = cv2.imread(osp.join(folder, name))
    inferencer = DefectInferencer(DEMO, demo_run['ckpt'], show_progress=False,
                                  cfg_options={'model.test_cfg.score_thr': 0.0})
    from_array = inferencer([img, img[:, :, 0]])['predictions']
    from_file = inferencer(osp.join(folder, name))['predictions'][0]
    assert from_array[0]['img_path'] is None
    assert from_array[0]['score'] == pytest.approx(from_file['score'], abs=1e-6)
    # score_thr 0: every image is flagged
    assert all(p['label'] == 1 and p['score_thr'] == 0.0 for p in from_array)
    with pytest.raises(FileNotFoundError, match='nope.png'):
        inferencer(osp.join(folder, 'nope.png'))
