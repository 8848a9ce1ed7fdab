"""s1..s4 each build and run two training iterations and one validation pass
on 64 px data (MobileNetV3-Small swapped in for speed; the EfficientNetV2-S
channels are checked with s6 in test_gain_derived_configs.py)."""
import math

import pytest

from gain_config_runner import make_defect_data, tiny_cfg, train_and_val

# Loss terms each strategy adds (and every later one keeps).
NEW_TERMS = {
    's1': {'loss_cls'},
    's2': {'loss_cam_guide'},
    's3': {'loss_am', 'loss_guide'},
    's4': {'loss_loc_bce', 'loss_loc_dice', 'loss_consistency'},
}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_defect_data(str(tmp_path_factory.mktemp('defects')))


@pytest.mark.parametrize('name', ['s1', 's2', 's3', 's4'])
def test_strategy_trains_and_validates(name, data_root, tmp_path):
    out = train_and_val(tiny_cfg(name, data_root, str(tmp_path)))
    expected = set().union(*(NEW_TERMS[k] for k in NEW_TERMS if k <= name))
    losses = {k[len('train/'):] for k in out['scalars']
              if k.startswith('train/loss_')}
    assert losses == expected
    assert all(math.isfinite(out['scalars'][f'train/{k}']) for k in losses)
    metrics = out['metrics']
    assert 0.0 <= metrics['cls/accuracy'] <= 1.0
    assert any(k.startswith('cam/') for k in metrics)
    if name == 's4':
        # Warm-up: progress 0 at the first iteration, 0.5 (done) at the second.
        assert out['scalars']['train/loc'] == pytest.approx(0.2)
        assert out['model'].loss_weights['consistency'] == pytest.approx(0.1)
