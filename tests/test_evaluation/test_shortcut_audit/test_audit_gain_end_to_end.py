"""The whole audit on a random-init configs/gain/demo.py model and a few
generated images: composites at the network input, the model's operating
point, the map tests on GAIN's CAM."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mtl_plugin.apis import build_dataset, build_model, load_config
from mtl_plugin.evaluation.shortcut_audit import (
    AuditSettings,
    ModelScorer,
    audit_model,
    faithfulness_curves,
    load_audit_samples,
    removal_baseline,
)

from mtl_test_utils import REPO

SIZE, INPUT = 80, 64  # generated images are resized to the network input


def gain_cfg(data_root):
    cfg = load_config(osp.join(REPO, 'configs', 'gain', 'demo.py'))
    dataset = cfg.val_dataloader.dataset
    dataset.data_root = data_root
    dataset.val_ratio = 0.5
    for step in dataset.pipeline:
        if step['type'] == 'Resize':
            step['scale'] = (INPUT, INPUT)
    return cfg


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = str(tmp_path_factory.mktemp('gain_defects'))
    generate_defect_dataset(MetalDefectGeneratorConfig(
        height=SIZE, width=SIZE, num_train=20, num_test=2, seed=1), root,
        progress=False)
    return root


@pytest.fixture(scope='module')
def gain(data_root):
    cfg = gain_cfg(data_root)
    torch.manual_seed(0)
    return build_model(cfg), build_dataset(cfg, 'val')


def test_samples_are_the_network_input(gain):
    model, dataset = gain
    samples, skipped = load_audit_samples(dataset, model.defect_class)
    assert skipped == [] and len(samples) == 10
    for s in samples:
        assert s.image.shape == (INPUT, INPUT, 3) and s.image.dtype == np.uint8
        gt = cv2.imread(s.img_path.replace('.png', '_GT.png'), cv2.IMREAD_GRAYSCALE)
        resized = cv2.resize(gt, (INPUT, INPUT), interpolation=cv2.INTER_NEAREST) > 0
        assert np.array_equal(s.mask, resized)  # the mask resized as the image
        assert s.is_defect == bool(resized.any())


def test_gain_audit_with_maps(gain):
    model, dataset = gain
    scorer = ModelScorer(model)
    assert scorer.point == (1, model.test_cfg['score_thr'],
                            'defect_class of the model, score_thr model '
                            'test_cfg.score_thr')
    samples, _ = load_audit_samples(dataset, 1)
    scores, maps = scorer.score_with_maps([s.image for s in samples])
    assert all(m.shape == (INPUT, INPUT) for m in maps)
    thr = float(np.median(scores))
    result = audit_model(model, dataset, AuditSettings(num_steps=4, num_examples=1),
                         score_thr=thr)
    audit, rows = result.audit, result.rows
    s = audit['summary']
    assert audit['maps'] is True
    d_plus = [k for k, x in enumerate(samples) if x.is_defect and scores[k] >= thr]
    assert s['map_n'] == len(d_plus) > 0
    measured = [k for k, r in enumerate(rows) if 'deletion_auc' in r]
    assert measured == d_plus
    for k in d_plus:
        assert 0.0 <= rows[k]['wrong_reason_mass'] <= 1.0
        for key in ('deletion_auc', 'insertion_auc', 'deletion_auc_random'):
            assert 0.0 <= rows[k][key] <= 1.0
    assert s['deletion_gain'] == pytest.approx(np.mean(
        [rows[k]['deletion_auc_random'] - rows[k]['deletion_auc'] for k in d_plus]))
    assert 0.0 < s['wrong_reason_chance'] < 1.0
    assert audit['verdict']['verdict'] in ('PASS', 'FLAG', 'INCONCLUSIVE')
    assert [e.name for e in result.examples] == ['defect_000', 'normal_000']


def test_curves_start_and_end_at_the_models_scores(gain):
    # the curves' first deletion frame and last insertion frame are the image:
    # batched with other frames, its score must stay the plain score (eval BN)
    model, dataset = gain
    scorer = ModelScorer(model, score_thr=0.0)
    sample = next(s for s in load_audit_samples(dataset, 1)[0] if s.is_defect)
    score, maps = scorer.score_with_maps([sample.image])
    out = faithfulness_curves(scorer, sample.image, maps[0],
                              removal_baseline(sample.image, 'mean'), num_steps=3)
    assert out['deletion'][0] == pytest.approx(score[0], abs=1e-5)
    assert out['insertion'][-1] == pytest.approx(score[0], abs=1e-5)
    assert out['deletion'][-1] == pytest.approx(out['insertion'][0], abs=1e-5)
    # the score-only calls of the curves ran GAIN without maps, then restored it
    assert model.test_cfg['with_maps'] is True
