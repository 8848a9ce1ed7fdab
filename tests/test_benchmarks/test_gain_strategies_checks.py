"""Expected-shape checks of benchmarks/gain_strategies.py on hand-made metrics."""
import importlib.util
import os.path as osp

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
    from mmengine.config import Config
    args = bench.parse_args(['--epochs', '3', '--size', '64', '--num-workers', '0'])
    for strategy, has_attn, has_loc in (('s1', False, False), ('s3', True, False),
                                        ('s6', True, True)):
        path = tmp_path / f'{strategy}.py'
        path.write_text(bench.derived_config(strategy, str(tmp_path / 'data'), args))
        cfg = Config.fromfile(str(path), import_custom_modules=False)
        assert cfg.model.backbone.type == 'mmpretrain.MobileNetV3'
        assert 'init_cfg' not in cfg.model.backbone  # _delete_ dropped the download
        assert cfg.model.cls_head.in_channels == 576
        assert bool(cfg.model.get('attention_head')) == has_attn
        assert bool(cfg.model.get('loc_head')) == has_loc
        if has_attn:
            assert cfg.model.attention_head.type == 'GAINAttentionHead'
            assert cfg.model.attention_head.in_channels == 576
        if has_loc:
            assert cfg.model.loc_head.neck.in_channels == [16, 24, 48, 576]
        assert cfg.train_cfg.max_epochs == 3
        assert cfg.param_scheduler[1].end == 3
        assert cfg.test_dataloader.dataset.data_root == str(tmp_path / 'data')
        assert cfg.test_dataloader.num_workers == 0
        assert not cfg.test_dataloader.persistent_workers
        assert cfg.train_pipeline[2].scale == (64, 64)
