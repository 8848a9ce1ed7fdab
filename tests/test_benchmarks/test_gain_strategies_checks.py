"""benchmarks/gain_strategies.py: the checks and the seed summary on hand-made
metrics, config derivation, and its skip / refuse rules (no training)."""
import importlib.util
import json
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load():
    path = osp.join(REPO, 'benchmarks', 'gain_strategies.py')
    spec = importlib.util.spec_from_file_location('gain_strategies_bench', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load()


def _status(results):
    return {c['name']: c['status'] for c in bench.shape_checks(results)}


def _good():
    return {
        'S1': {'cam/iou': 0.10, 'cls/recall': 0.60},
        'S2': {'cam/iou': 0.25, 'cls/recall': 0.70},
        'S3': {'cam/iou': 0.22, 'cam/attn_iou': 0.30, 'cls/recall': 0.60},
        'S4': {'cam/iou': 0.30, 'cam/loc_iou': 0.60, 'cls/recall': 0.80},
        'S5': {'cam/iou': 0.30, 'cam/loc_iou': 0.55, 'cls/recall': 0.80},
        'S6': {'cam/iou': 0.35, 'cam/loc_iou': 0.65, 'cls/recall': 0.90},
    }


def test_expected_shape_passes():
    assert _status(_good()) == {'cam_iou_2x': 'PASS', 'loc_iou_far_above': 'PASS',
                                'recall_not_below_s1': 'PASS'}


def test_each_check_fails_on_its_own_violation():
    r = _good()
    r['S3']['cam/iou'] = 0.19  # < 2 x 0.10
    assert _status(r)['cam_iou_2x'] == 'FAIL'

    r = _good()
    # best S1-S3 map IoU is S3's attention IoU 0.30; 0.42 < 1.5 x 0.30
    r['S5']['cam/loc_iou'] = 0.42
    s = _status(r)
    assert s['loc_iou_far_above'] == 'FAIL'
    assert s['cam_iou_2x'] == 'PASS' and s['recall_not_below_s1'] == 'PASS'

    r = _good()
    r['S2']['cls/recall'] = 0.59
    assert _status(r)['recall_not_below_s1'] == 'FAIL'


def test_zero_maps_do_not_pass_and_missing_inputs_skip():
    r = _good()
    r['S1']['cam/iou'] = 0.0
    r['S2']['cam/iou'] = 0.0
    assert _status(r)['cam_iou_2x'] == 'FAIL'
    # no S1: nothing to compare against; only S1..S3: no loc head to check
    no_s1 = {k: v for k, v in _good().items() if k != 'S1'}
    assert _status(no_s1)['cam_iou_2x'] == 'SKIP'
    assert _status(no_s1)['recall_not_below_s1'] == 'SKIP'
    first3 = {k: v for k, v in _good().items() if k in ('S1', 'S2', 'S3')}
    assert _status(first3)['loc_iou_far_above'] == 'SKIP'
    # lower-case names as the script's work dirs use them, NaN treated as missing
    lower = {k.lower(): v for k, v in _good().items()}
    assert _status(lower)['cam_iou_2x'] == 'PASS'
    r = _good()
    r['S4']['cam/loc_iou'] = float('nan')
    assert _status(r)['loc_iou_far_above'] == 'SKIP'


def test_derived_tiny_config_only_touches_heads_the_strategy_has(tmp_path):
    """Config API derivation: the demo's backbone and the widths of the heads
    each strategy has (read from configs/gain/demo.py), no channel count (the
    model fills them), data roots (the oracle trains on its own root, tests on
    the shared one), sizes, schedule stretched to the epochs."""
    from mmengine.config import Config
    demo = Config.fromfile(bench.TINY_REFERENCE)
    args = bench.parse_args(['--epochs', '3', '--size', '64', '--num-workers', '0'])
    data, oracle = str(tmp_path / 'data'), str(tmp_path / 'data_oracle')
    for strategy, has_attn, has_loc in (('s1', False, False), ('s3', True, False),
                                        ('s6', True, True)):
        path = tmp_path / f'{strategy}.py'
        bench.derived_config(strategy, args, 7, data,
                             oracle if strategy == 's1' else None).dump(str(path))
        cfg = Config.fromfile(str(path))  # the dumped file is a valid config
        assert cfg.model.backbone == demo.model.backbone  # _delete_ dropped the download
        assert 'in_channels' not in cfg.model.cls_head
        assert bool(cfg.model.get('attention_head')) == has_attn
        assert bool(cfg.model.get('loc_head')) == has_loc
        if has_attn:
            assert cfg.model.attention_head.type == 'GAINAttentionHead'
            assert cfg.model.attention_head.mid_channels == 64
        if has_loc:
            assert 'in_channels' not in cfg.model.loc_head.neck
            assert cfg.model.loc_head.neck.out_channels == 32
        assert cfg.optim_wrapper.optimizer.lr == demo.optim_wrapper.optimizer.lr
        assert cfg.param_scheduler[0].end == demo.param_scheduler[0].end
        assert cfg.train_cfg.max_epochs == 3 and cfg.param_scheduler[1].end == 3
        assert cfg.randomness.seed == 7
        train_root = oracle if strategy == 's1' else data
        assert cfg.train_dataloader.dataset.data_root == train_root
        assert cfg.val_dataloader.dataset.data_root == train_root
        assert cfg.test_dataloader.dataset.data_root == data
        assert cfg.test_dataloader.num_workers == 0
        assert not cfg.test_dataloader.persistent_workers
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            resize = [p for p in cfg[loader].dataset.pipeline if p.type == 'Resize']
            assert [p.scale for p in resize] == [(64, 64)]


def test_the_recommended_strategy_on_the_tiny_backbone_is_the_demo():
    """The benchmark's tiny runs of the recommended strategy are demo.py's
    model, optimizer, schedule, data pipelines and training batch exactly: the
    demo and the benchmark cannot drift apart."""
    from mmengine.config import Config
    demo = Config.fromfile(bench.TINY_REFERENCE)
    args = bench.parse_args(['--num-workers', '2'])
    cfg = bench.derived_config(bench.DEFAULT_STRATEGY, args, 0, demo.data_root)
    assert cfg.model.to_dict() == demo.model.to_dict()
    assert cfg.optim_wrapper.to_dict() == demo.optim_wrapper.to_dict()
    assert cfg.param_scheduler == demo.param_scheduler
    for loader in ('train_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.pipeline == demo[loader].dataset.pipeline
    assert cfg.train_dataloader.batch_size == demo.train_dataloader.batch_size


def _seeds():
    """Two seeds of hand-made metrics: oracle, S1 (fooled) and a guided S6."""
    def run(rec, auroc, acc, iou, pg):
        return {'cls/recall': rec, 'cls/auroc': auroc, 'cls/accuracy': acc,
                'cam/iou': iou, 'cam/point_game': pg}
    return {
        0: {'oracle': run(0.80, 0.95, 0.85, 0.05, 0.1), 's1': run(0.20, 0.60, 0.55, 0.04, 0.1),
            's6': run(0.76, 0.90, 0.80, 0.12, 0.6)},
        1: {'oracle': run(0.60, 0.90, 0.75, 0.05, 0.1), 's1': run(0.10, 0.50, 0.50, 0.02, 0.0),
            's6': run(0.60, 0.81, 0.70, 0.10, 0.5)},
    }


def test_seed_summary_means_spreads_and_per_seed_oracle_fractions():
    summary = bench.seed_summary(_seeds())
    rec = summary['S6']['cls/recall']
    assert rec['mean'] == pytest.approx(0.68) and (rec['min'], rec['max']) == (0.60, 0.76)
    assert rec['n'] == 2
    frac = summary['S6']['cls/recall/oracle']  # 0.76 / 0.8 and 0.6 / 0.6
    assert frac['mean'] == pytest.approx((0.95 + 1.0) / 2)
    assert frac['min'] == pytest.approx(0.95) and frac['max'] == pytest.approx(1.0)
    assert summary['ORACLE']['cls/auroc/oracle']['mean'] == pytest.approx(1.0)
    assert 'cam/loc_iou' not in summary['S6']  # no value in any seed: left out
    assert 'cam/iou/oracle' not in summary['S6']  # fractions of cls metrics only
    table = bench.summary_table(summary)
    assert table.splitlines()[2].startswith('| ORACLE | 2 |')
    assert '0.680 (0.600-0.760)' in table


def test_oracle_checks_pass_fail_and_skip():
    status = {c['name']: c['status']
              for c in bench.oracle_checks(bench.seed_summary(_seeds()), 's6')}
    # recall 0.975 x oracle, AUROC (0.947 + 0.9) / 2 = 0.924, IoU 0.11 vs 2 x 0.03,
    # PointGame 0.55
    assert status == {'best_recall_vs_oracle': 'PASS', 'best_auroc_vs_oracle': 'PASS',
                      'best_recall_vs_own_oracle': 'SKIP',
                      'best_auroc_vs_own_oracle': 'SKIP',
                      'own_oracle_auroc_vs_oracle': 'SKIP',
                      'best_cam_iou_2x_s1': 'PASS', 'best_point_game': 'PASS'}
    runs = _seeds()
    runs[1]['s6']['cls/auroc'] = 0.70  # (0.947 + 0.778) / 2 = 0.863 < 0.9
    runs[0]['s6']['cam/point_game'] = 0.3  # mean 0.4
    runs[0]['s1']['cam/iou'] = 0.08  # S1 mean 0.05 -> needs 0.10, S6 has 0.11
    status = {c['name']: c['status']
              for c in bench.oracle_checks(bench.seed_summary(runs), 's6')}
    assert status == {'best_recall_vs_oracle': 'PASS', 'best_auroc_vs_oracle': 'FAIL',
                      'best_recall_vs_own_oracle': 'SKIP',
                      'best_auroc_vs_own_oracle': 'SKIP',
                      'own_oracle_auroc_vs_oracle': 'SKIP',
                      'best_cam_iou_2x_s1': 'PASS', 'best_point_game': 'FAIL'}
    no_oracle = {k: {n: m for n, m in v.items() if n != 'oracle'} for k, v in _seeds().items()}
    status = {c['name']: c['status']
              for c in bench.oracle_checks(bench.seed_summary(no_oracle), 's6')}
    assert status['best_recall_vs_oracle'] == 'SKIP' == status['best_auroc_vs_oracle']
    assert status['best_point_game'] == 'PASS'
    assert all(c['status'] == 'SKIP'
               for c in bench.oracle_checks(bench.seed_summary(_seeds()), 's9'))


def test_own_oracle_fractions_and_checks_use_the_strategy_on_the_oracle_twin():
    runs = _seeds()
    # S6 trained on the oracle twin: a stricter bar than the S1 oracle
    runs[0]['oracle_s6'] = dict(runs[0]['s6'], **{'cls/recall': 0.80, 'cls/auroc': 0.95})
    runs[1]['oracle_s6'] = dict(runs[1]['s6'], **{'cls/recall': 0.60, 'cls/auroc': 0.90})
    summary = bench.seed_summary(runs)
    frac = summary['S6']['cls/recall/own_oracle']  # 0.76 / 0.8 and 0.6 / 0.6
    assert frac['mean'] == pytest.approx((0.95 + 1.0) / 2)
    assert (frac['min'], frac['max']) == (pytest.approx(0.95), pytest.approx(1.0))
    # S1's own oracle is the oracle; oracle runs have none
    assert summary['S1']['cls/auroc/own_oracle'] == summary['S1']['cls/auroc/oracle']
    assert not any(k.endswith('/own_oracle') for k in summary['ORACLE_S6'])
    assert 'cls/recall/own_oracle' in bench.summary_table(summary).splitlines()[0]
    assert 'own_oracle' not in bench.summary_table(bench.seed_summary(_seeds()))
    checks = {c['name']: c for c in bench.oracle_checks(summary, 's6')}
    # recall 0.975 x own oracle, AUROC (0.947 + 0.9) / 2 = 0.924
    assert checks['best_recall_vs_own_oracle']['status'] == 'PASS'
    assert checks['best_auroc_vs_own_oracle']['status'] == 'PASS'
    assert 'ORACLE_S6' in checks['best_recall_vs_own_oracle']['detail']
    # trained on the twin, S6 ranks as well as the S1 oracle (0.925 both)
    assert checks['own_oracle_auroc_vs_oracle']['status'] == 'PASS'
    runs[1]['oracle_s6']['cls/auroc'] = 0.85  # mean 0.90 < 0.925: guidance cost AUROC
    checks = {c['name']: c['status']
              for c in bench.oracle_checks(bench.seed_summary(runs), 's6')}
    assert checks['own_oracle_auroc_vs_oracle'] == 'FAIL'
    runs[1]['oracle_s6']['cls/auroc'] = 0.90
    runs[1]['s6']['cls/recall'] = 0.48  # (0.95 + 0.8) / 2 = 0.875 < 0.9
    checks = {c['name']: c['status']
              for c in bench.oracle_checks(bench.seed_summary(runs), 's6')}
    assert checks['best_recall_vs_own_oracle'] == 'FAIL'
    assert checks['best_recall_vs_oracle'] == 'FAIL'  # the same ratios here


def test_any_config_name_is_a_strategy_and_missing_ones_are_named():
    assert bench.check_strategies(['S1', 's6-deconv', 'demo']) == ['s1', 's6-deconv', 'demo']
    with pytest.raises(SystemExit, match='nope'):
        bench.check_strategies(['s1', 'nope'])
    assert bench.parse_args([]).oracle_strategies == ['s1']
    assert bench.parse_args(['--no-oracle']).oracle_strategies == []
    assert [bench.oracle_run_name(s) for s in ('s1', 's6')] == ['oracle', 'oracle_s6']


class _Cfg:
    def __init__(self, text):
        self.text = text

    def dump(self, path):
        with open(path, 'w') as f:
            f.write(self.text)


def test_runs_are_skipped_when_done_and_never_mixed(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(bench, '_run', lambda cmd, log_path: calls.append(cmd))
    settings = dict(run='s1', seed=0)
    wd = tmp_path / 's1'
    wd.mkdir()
    (wd / 'metrics.json').write_text('{"cls/recall": 0.5}')
    cfg = _Cfg('x = 1\n')
    import hashlib
    sha = hashlib.sha1(b'x = 1\n').hexdigest()
    (wd / 'bench_settings.json').write_text(json.dumps(dict(settings, config_sha1=sha)))
    assert bench.run_strategy('s1', 's1', cfg, str(tmp_path), settings, 2) == str(wd)
    assert calls == []  # finished with the same settings: skipped
    with pytest.raises(SystemExit, match='config_sha1'):
        bench.run_strategy('s1', 's1', _Cfg('x = 2\n'), str(tmp_path), settings, 2)
    with pytest.raises(SystemExit, match='seed'):
        bench.run_strategy('s1', 's1', cfg, str(tmp_path), dict(settings, seed=1), 2)
    assert json.loads((wd / 'bench_settings.json').read_text())['seed'] == 0
    # a finished training is tested, not trained again
    (wd / 'metrics.json').unlink()
    (wd / 'epoch_2.pth').write_bytes(b'')
    bench.run_strategy('s1', 's1', cfg, str(tmp_path), settings, 2)
    # ... and then audited on its biased validation split
    assert [c[1].split('tools/')[-1] for c in calls] == [
        'test.py', 'analysis/shortcut_audit.py']
    assert calls[1][calls[1].index('--split') + 1] == 'val'
    assert calls[1][calls[1].index('--score-thr') + 1] == 'best-f1'


def test_audit_is_repeated_unless_a_newer_best_f1_audit_exists(tmp_path, monkeypatch):
    import os
    calls = []
    monkeypatch.setattr(bench, '_run', lambda cmd, log_path: calls.append(cmd))
    ckpt = tmp_path / 'epoch_2.pth'
    ckpt.write_bytes(b'')
    (tmp_path / 'audit').mkdir()
    out = tmp_path / 'audit' / 'audit.json'
    os.utime(ckpt, (1, 1))
    # a newer audit at the model's own threshold: audited again at best F1
    out.write_text(json.dumps(dict(score_thr_request=None)))
    bench.audit('c.py', str(ckpt), str(tmp_path), 'log')
    assert len(calls) == 1
    out.write_text(json.dumps(dict(score_thr_request='best-f1')))
    bench.audit('c.py', str(ckpt), str(tmp_path), 'log')
    assert len(calls) == 1  # newer and made the same way: kept
    os.utime(ckpt, None)
    os.utime(out, (1, 1))
    bench.audit('c.py', str(ckpt), str(tmp_path), 'log')
    assert len(calls) == 2  # older than the checkpoint: audited again


def test_data_with_other_parameters_is_not_overwritten(tmp_path):
    args = bench.parse_args(['--num-train', '8', '--num-test', '4', '--size', '32'])
    info = dict(family='metal', config=dict(num_train=8, num_test=4, height=32, width=32,
                                            seed=0, cue_prob=0.95, cue_prob_normal=0.05))
    (tmp_path / 'generation_info.json').write_text(json.dumps(info))
    bench.ensure_data(args, 'metal', 0, str(tmp_path), oracle=False)  # reused
    with pytest.raises(SystemExit, match='refusing to overwrite'):
        bench.ensure_data(args, 'textile', 0, str(tmp_path), oracle=False)
    with pytest.raises(SystemExit, match='refusing to overwrite'):
        bench.ensure_data(args, 'metal', 0, str(tmp_path), oracle=True)


def test_tiny_overrides_follow_the_model_layout():
    from mmengine.config import ConfigDict
    plain = bench.tiny_overrides(ConfigDict(cls_head=dict(type='CAMClsHead')))
    assert set(plain) == {'backbone'} and plain['backbone']['_delete_']
    full = bench.tiny_overrides(ConfigDict(
        cam_neck=dict(out_channels=64), cls_head=dict(),
        attention_head=dict(mid_channels=128), loc_head=dict(neck=dict())))
    assert set(full) == {'backbone', 'attention_head', 'loc_head'}
    assert full['attention_head'] == dict(mid_channels=64)
    assert full['loc_head'] == dict(neck=dict(out_channels=32))
