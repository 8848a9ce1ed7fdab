"""ONNX export of GAIN-MTL (score and maps, dynamic batch) and of the
multi-task model's raw head outputs, compared with PyTorch."""
import os.path as osp

import numpy as np
import pytest
import torch

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.deployment import (GAINExportModule, HeadOutputsExportModule,
                                   export_onnx, missing_onnx_packages,
                                   onnx_session, run_onnx)
from mtl_plugin.structures import MultiTaskDataSample
from mtl_test_utils import REPO

MISSING = missing_onnx_packages()
needs_onnx = pytest.mark.skipif(
    bool(MISSING), reason=f'{MISSING} not installed (the deploy extra: pip install '
    '-r requirements/deploy.txt)')


def _model(config):
    """The config's model with weights spread out (a freshly initialised
    MobileNetV3 gives nearly the same score to every image)."""
    torch.manual_seed(0)
    model = build_model(load_config(osp.join(REPO, 'configs', config)))
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight)
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.bias.normal_(0, 0.1)
        if hasattr(model, 'cls_head') and hasattr(model.cls_head, 'fc'):
            torch.nn.init.normal_(model.cls_head.fc.weight, std=0.01)
    return model


def _images(n, h, w, seed=0):
    """``(n, 3, h, w)`` noise in 0..255, each image at another brightness."""
    noise = torch.rand(n, 3, h, w, generator=torch.Generator().manual_seed(seed))
    return noise * torch.linspace(60, 255, n).view(n, 1, 1, 1)


def test_gain_export_module_matches_predict():
    model = _model('gain/demo.py')
    img = _images(2, 128, 128)
    samples = [MultiTaskDataSample(metainfo=dict(img_shape=(128, 128)))
               for _ in range(2)]
    data = model.data_preprocessor(dict(inputs=list(img.to(torch.uint8).float()),
                                        data_samples=samples))
    preds = model.predict(data['inputs'], data['data_samples'])
    scores, cam, att, loc = GAINExportModule(model)(img.to(torch.uint8).float())
    for i, pred in enumerate(preds):
        torch.testing.assert_close(scores[i], pred.pred_score, atol=1e-6, rtol=0)
        torch.testing.assert_close(cam[i], pred.pred_cam.data, atol=1e-5, rtol=0)
        torch.testing.assert_close(att[i], pred.pred_attention.data, atol=1e-6, rtol=0)
        torch.testing.assert_close(loc[i], pred.pred_loc.data, atol=1e-6, rtol=0)


@needs_onnx
def test_gain_onnx_matches_torch_with_dynamic_batch(tmp_path):
    module = GAINExportModule(_model('gain/demo.py'))
    path = export_onnx(module, _images(1, 128, 128), str(tmp_path / 'gain.onnx'),
                       module.output_names)
    session = onnx_session(path)
    assert [o.name for o in session.get_outputs()] == ['scores', 'cam', 'attention', 'loc']
    img = _images(3, 128, 128, seed=1)  # another batch size than the export's
    with torch.no_grad():
        ref = [t.numpy() for t in module(img)]
    got = run_onnx(session, img.numpy())
    for r, g in zip(ref, got):
        assert g.shape == r.shape
        np.testing.assert_allclose(g, r, atol=1e-4, rtol=0)
    assert ref[0][:, 1].std() > 1e-3  # the scores differ between images
    assert min(r.std() for r in ref[1:]) > 1e-3  # and the maps within one


@needs_onnx
def test_multitask_head_outputs_onnx_matches_torch(tmp_path):
    module = HeadOutputsExportModule(_model('multitask/multitask_mnv3_fpn_fixed.py'))
    example = _images(1, 64, 64)
    names = module.output_names(example)
    assert names[-1] == 'cls' and any(n.startswith('seg') for n in names)
    path = export_onnx(module, example, str(tmp_path / 'mt.onnx'), names)
    img = _images(2, 64, 64, seed=2)
    with torch.no_grad():
        ref = [t.numpy() for t in module(img)]
    got = run_onnx(onnx_session(path), img.numpy())
    assert len(got) == len(ref)
    for r, g in zip(ref, got):
        np.testing.assert_allclose(g, r, atol=1e-4, rtol=0)
