"""The score-only audit of a stock mmpretrain ImageClassifier whose dataset
(our DefectDataset, through mmpretrain's PackInputs) provides masks; the map
tests are n/a."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mtl_plugin.apis import build_dataset, build_model, load_config
from mtl_plugin.evaluation.shortcut_audit import (
    AuditSettings,
    ModelScorer,
    audit_model,
    load_audit_samples,
    remove_defect,
    run_shortcut_audit,
)

from mtl_test_utils import TEST_DATA

CONFIG = osp.join(TEST_DATA, 'configs', 'shortcut_audit_image_classifier.py')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from mtl_plugin.datasets.synthetic.metal_defect_generator import (
        MetalDefectGeneratorConfig,
        generate_defect_dataset,
    )
    root = str(tmp_path_factory.mktemp('cls_defects'))
    generate_defect_dataset(MetalDefectGeneratorConfig(
        height=64, width=64, num_train=24, num_test=2, seed=0), root, progress=False)
    return root


@pytest.fixture(scope='module')
def model_and_data(data_root):
    cfg = load_config(CONFIG, {'val_dataloader.dataset.data_root': data_root})
    torch.manual_seed(0)
    model = build_model(cfg)
    # a random head whose scores depend on the image (the initial one is
    # nearly constant)
    torch.nn.init.normal_(model.head.fc.weight, std=2.0)
    return cfg, model, build_dataset(cfg, 'val')


def test_scores_are_the_models_own_test_predictions(model_and_data):
    _, model, dataset = model_and_data
    assert type(model).__name__ == 'ImageClassifier'
    scorer = ModelScorer(model)
    assert scorer.point.defect_class == 1 and scorer.point.score_thr == 0.5
    assert 'default' in scorer.point.source
    samples, skipped = load_audit_samples(dataset, 1)
    assert skipped == [] and len(samples) == len(dataset) == 12
    # network input: the pipeline's 48 px resize, image and mask alike
    assert {s.image.shape for s in samples} == {(48, 48, 3)}
    assert all(s.mask.any() == s.is_defect for s in samples)
    mine, maps = scorer.score_with_maps([s.image for s in samples])
    assert maps == [None] * len(samples)
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
    with torch.no_grad():
        theirs = torch.stack([o.pred_score for o in model.test_step(batch)])[:, 1]
    assert np.allclose(mine, theirs.numpy(), atol=1e-5)
    assert np.ptp(mine) > 0.01  # the comparison is not between constants


def test_score_tests_run_and_map_tests_are_na(model_and_data):
    _, model, dataset = model_and_data
    scorer = ModelScorer(model)
    samples, _ = load_audit_samples(dataset, 1)
    scores = scorer([s.image for s in samples])
    thr = float(np.median(scores))  # both populations non-empty
    settings = AuditSettings(fill='inpaint', blend='hard', num_examples=1)
    result = audit_model(model, dataset, settings, score_thr=thr)
    audit, rows = result.audit, result.rows
    s = audit['summary']
    assert audit['maps'] is False and s['map_n'] == 0
    assert np.isnan(s['wrong_reason_mass']) and np.isnan(s['deletion_auc'])
    assert audit['verdict']['map_verdict'] == 'n/a'
    called = [bool(r['called_defect']) for r in rows]
    assert called == [bool(x >= thr) for x in scores]
    d_plus = [k for k, x in enumerate(samples) if x.is_defect and called[k]]
    assert s['necessity_n'] == len(d_plus) > 0
    assert s['sufficiency_n'] == sum(not x.is_defect and not called[k]
                                     for k, x in enumerate(samples)) > 0
    # a row's necessity score is the model's score of that composite
    k = d_plus[0]
    composite = remove_defect(samples[k].image, samples[k].mask, settings.dilate,
                              'inpaint', inpaint_radius=settings.inpaint_radius)
    assert rows[k]['necessity_score'] == pytest.approx(float(scorer([composite])[0]),
                                                       abs=1e-6)
    assert s['necessity'] == pytest.approx(np.mean(
        [rows[k]['necessity_score'] < thr for k in d_plus]))
    assert audit['operating_point']['score_thr'] == thr


def test_best_f1_threshold_is_taken_from_the_audited_scores(model_and_data):
    from mtl_plugin.evaluation.operating_point import best_f1_threshold
    _, model, dataset = model_and_data
    samples, _ = load_audit_samples(dataset, 1)
    scores = ModelScorer(model)([s.image for s in samples])
    labels = np.array([s.is_defect for s in samples])
    expected = best_f1_threshold(scores, labels)

    def f1(t):  # F1 of "called defect iff score >= t", by hand
        called = scores >= t
        return 2 * (labels & called).sum() / (labels.sum() + called.sum())

    assert f1(expected) == pytest.approx(max(f1(t) for t in scores))
    settings = AuditSettings(fill='inpaint', blend='hard', num_examples=0)
    result = audit_model(model, dataset, settings, score_thr='best-f1')
    point = result.audit['operating_point']
    assert point['score_thr'] == pytest.approx(expected)
    assert 'best F1' in point['source']
    assert result.audit['score_thr_request'] == 'best-f1'
    called = [bool(r['called_defect']) for r in result.rows]
    assert called == [bool(x >= expected) for x in scores]
    with pytest.raises(ValueError, match='best-f1'):
        audit_model(model, dataset, settings, score_thr='best')


def test_entry_point_from_the_config(data_root, tmp_path):
    audit = run_shortcut_audit(
        CONFIG, None, 'val', out_dir=str(tmp_path / 'audit'),
        settings=AuditSettings(max_images=6), defect_class=1,
        cfg_options={'val_dataloader.dataset.data_root': data_root})
    s = audit['summary']
    assert s['num_images'] == 6 and s['num_defect'] == 3
    assert audit['split'] == 'val' and audit['config'] == CONFIG
    assert osp.isfile(tmp_path / 'audit' / 'audit.json')
    assert audit['verdict']['verdict'] in ('PASS', 'FLAG', 'INCONCLUSIVE')
    with pytest.raises(ValueError, match='defect_class=0'):
        ModelScorer(type('M', (torch.nn.Module, ), dict(
            defect_class=1, data_preprocessor=None, predict=None))(), defect_class=0)
