"""benchmarks/retail_train_throughput.py runs one timed step of both models."""
import importlib.util
import json
import os.path as osp

import torch

from mtl_test_utils import REPO


def _load():
    path = osp.join(REPO, 'benchmarks', 'retail_train_throughput.py')
    spec = importlib.util.spec_from_file_location('retail_train_throughput',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_models_train_and_report_throughput(tmp_path):
    bench = _load()
    out = tmp_path / 'throughput.json'
    result = bench.main(['--device', 'cpu', '--size', '128', '96', '--batch',
                         '1', '--iters', '1', '--warmup', '0', '--depth',
                         '18', '--num-gts', '12', '--out', str(out)])
    saved = json.loads(out.read_text())
    assert saved['dense_over_mmdet'] == result['dense_over_mmdet'] > 0
    for name in ('dense', 'mmdet'):
        m = saved['models'][name]
        assert len(m['step_s']) == 1 and m['images_per_s'] > 0
    assert saved['size'] == [128, 96] and saved['device'] == 'cpu'


def test_same_batch_for_both_models_and_weights_change():
    bench = _load()
    models = bench.build_models(18, 'cpu')
    # Our detector uses our head/assigner, mmdet's is the stock RetinaNet.
    assert type(models['dense'].bbox_head).__name__ == 'LightFineLevelRetinaHead'
    assert type(models['mmdet'].bbox_head).__name__ == 'RetinaHead'
    assert models['mmdet'].bbox_head.num_classes == 1
    data = bench.make_batch(1, (96, 64), 10)
    boxes = data['data_samples'][0].gt_instances.bboxes
    assert len(boxes) >= 10 and (boxes[:, 2] <= 96).all()
    # (the stem is frozen, frozen_stages=1, and residual branches start at
    # zero: check layer4's projection shortcut)
    before = {k: m.backbone.layer4[0].downsample[0].weight.detach().clone()
              for k, m in models.items()}
    times = bench.measure(models, data, iters=1, warmup=0, device='cpu')
    assert set(times) == {'dense', 'mmdet'}
    for k, m in models.items():
        assert not torch.equal(before[k],
                               m.backbone.layer4[0].downsample[0].weight)
