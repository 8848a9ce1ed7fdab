"""ONNX export of GAIN-MTL (scores, maps, labels, dynamic batch, metadata),
the ONNX inferencer against the PyTorch one, and the multi-task model's raw
head outputs, compared with PyTorch."""
import os.path as osp

import numpy as np
import pytest
import torch

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.deployment import (
    GAINExportModule,
    HeadOutputsExportModule,
    export_onnx,
    missing_onnx_packages,
    onnx_session,
    run_onnx,
)
from mtl_plugin.structures import MultiTaskDataSample

from mtl_test_utils import REPO

MISSING = missing_onnx_packages()
needs_onnx = pytest.mark.skipif(
    bool(MISSING), reason=f'{MISSING} not installed (the deploy extra: pip install '
    '-r requirements/deploy.txt)')


# the demo model with a GAIN attention head as well: every map output
WITH_ATTENTION = {'model.attention_head': dict(
    type='GAINAttentionHead', mid_channels=64, sigma=0.5, omega=10.0)}


def _model(config, cfg_options=None):
    """The config's model with weights spread out (a freshly initialised
    MobileNetV3 gives nearly the same score to every image)."""
    torch.manual_seed(0)
    model = build_model(load_config(osp.join(REPO, 'configs', config), cfg_options,
                                    allow_new_keys=True))
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
    model = _model('gain/demo.py', WITH_ATTENTION)
    img = _images(2, 128, 128)
    samples = [MultiTaskDataSample(metainfo=dict(img_shape=(128, 128)))
               for _ in range(2)]
    data = model.data_preprocessor(dict(inputs=list(img.to(torch.uint8).float()),
                                        data_samples=samples))
    preds = model.predict(data['inputs'], data['data_samples'])
    module = GAINExportModule(model)
    assert module.output_names(img) == ['scores', 'cam', 'attention', 'loc', 'labels']
    scores, cam, att, loc, labels = module(img.to(torch.uint8).float())
    for i, pred in enumerate(preds):
        assert labels[i].item() == pred.pred_label.item()
        torch.testing.assert_close(scores[i], pred.pred_score, atol=1e-6, rtol=0)
        torch.testing.assert_close(cam[i], pred.pred_cam.data, atol=1e-5, rtol=0)
        torch.testing.assert_close(att[i], pred.pred_attention.data, atol=1e-6, rtol=0)
        torch.testing.assert_close(loc[i], pred.pred_loc.data, atol=1e-6, rtol=0)


@needs_onnx
def test_gain_onnx_matches_torch_with_dynamic_batch(tmp_path):
    module = GAINExportModule(_model('gain/demo.py', WITH_ATTENTION))
    example = _images(1, 128, 128)
    path = export_onnx(module, example, str(tmp_path / 'gain.onnx'),
                       module.output_names(example))
    session = onnx_session(path)
    assert [o.name for o in session.get_outputs()] == ['scores', 'cam', 'attention',
                                                      'loc', 'labels']
    img = _images(3, 128, 128, seed=1)  # another batch size than the export's
    with torch.no_grad():
        ref = [t.numpy() for t in module(img)]
    got = run_onnx(session, img.numpy())
    for r, g in zip(ref, got):
        assert g.shape == r.shape
        np.testing.assert_allclose(g, r, atol=1e-4, rtol=0)
    assert ref[0][:, 1].std() > 1e-3  # the scores differ between images
    assert min(r.std() for r in ref[1:4]) > 1e-3  # and the maps within one


@needs_onnx
def test_multitask_head_outputs_onnx_matches_torch(tmp_path):
    module = HeadOutputsExportModule(_model('multitask/multitask-fixed.py'))
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


@needs_onnx
def test_export_tool_writes_metadata_and_the_onnx_inferencer_matches_torch(tmp_path):
    """tools/deployment/export_onnx.py writes the threshold, classes, input
    size and normalisation into the file; tools/deployment/onnx_infer.py, with
    nothing but the file, writes the same JSON as tools/infer.py on a
    KolektorSDD2-layout folder (scores to 1e-4), masks left out, an
    unreadable file skipped in both."""
    import importlib.util
    import json

    import cv2

    from mtl_plugin.apis import DefectInferencer, OnnxDefectInferencer
    from mtl_plugin.deployment import read_onnx_metadata

    def tool(*parts):
        spec = importlib.util.spec_from_file_location(parts[-1][:-3], osp.join(REPO, *parts))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    config = osp.join(REPO, 'configs', 'gain', 'demo.py')
    ckpt = str(tmp_path / 'demo.pth')
    torch.save(dict(state_dict=_model('gain/demo.py').state_dict()), ckpt)
    onnx_file = str(tmp_path / 'demo.onnx')
    tool('tools', 'deployment', 'export_onnx.py').main(
        [config, ckpt, '--out', onnx_file, '--cfg-options', 'model.test_cfg.score_thr=0.4'])
    meta = read_onnx_metadata(onnx_session(onnx_file))
    assert meta['score_thr'] == 0.4 and meta['defect_class'] == 1
    assert meta['classes'] == ['normal', 'defect'] and meta['input_size'] == [128, 128]
    assert meta['mean'] == [123.675, 116.28, 103.53] and meta['bgr_to_rgb'] is True
    assert meta['outputs'] == ['scores', 'cam', 'loc', 'labels']  # no attention head

    folder = tmp_path / 'test'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):  # KolektorSDD2 layout: <id>.png + <id>_GT.png
        img = (rng.random((90, 70, 1)) * np.linspace(40, 255, 70)[None, :, None])
        cv2.imwrite(str(folder / f'{i:05d}.png'), np.repeat(img, 3, 2).astype(np.uint8))
        cv2.imwrite(str(folder / f'{i:05d}_GT.png'), np.zeros((90, 70), np.uint8))
    (folder / '00003.png').write_bytes(b'')  # unreadable
    torch_out = DefectInferencer(config, ckpt, show_progress=False,
                                 cfg_options={'model.test_cfg.score_thr': 0.4})(
        str(folder), batch_size=2, out_dir=str(tmp_path / 'torch'), save_maps=True)
    onnx_out = OnnxDefectInferencer(onnx_file, show_progress=False)(
        str(folder), batch_size=2, out_dir=str(tmp_path / 'onnx'), save_maps=True)
    assert len(torch_out['predictions']) == len(onnx_out['predictions']) == 3
    for out in (torch_out, onnx_out):
        assert [s['img_path'] for s in out['skipped']] == [str(folder / '00003.png')]
        assert len(out['excluded']) == 3  # the _GT masks
    scores = [p['score'] for p in torch_out['predictions']]
    assert np.std(scores) > 1e-4  # the images score differently
    for name in ('00000', '00001', '00002'):
        a = json.loads((tmp_path / 'torch' / 'preds' / f'{name}.json').read_text())
        b = json.loads((tmp_path / 'onnx' / 'preds' / f'{name}.json').read_text())
        assert a.keys() == b.keys()
        assert abs(a.pop('score') - b.pop('score')) <= 1e-4
        np.testing.assert_allclose(a.pop('pred_score'), b.pop('pred_score'), atol=1e-4)
        assert a == b  # path, label, label name, threshold, file names
        ma, mb = np.load(tmp_path / 'torch' / a['maps_file']), np.load(
            tmp_path / 'onnx' / b['maps_file'])
        assert set(ma.files) == set(mb.files) == {'cam', 'loc'}
        for key in ('cam', 'loc'):
            assert ma[key].shape == (90, 70)
            np.testing.assert_allclose(ma[key], mb[key], atol=1e-3)
    # the onnx tool: same folder, non-zero exit because a file was skipped
    with pytest.raises(SystemExit) as exit_info:
        tool('tools', 'deployment', 'onnx_infer.py').main(
            [onnx_file, str(folder), '--out-dir', str(tmp_path / 'cli')])
    assert exit_info.value.code == 1
    summary = json.loads((tmp_path / 'cli' / 'summary.json').read_text())
    assert summary['num_images'] == 3 and summary['skipped'][0]['reason'] == 'empty file (0 bytes)'
