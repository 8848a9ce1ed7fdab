"""tools/misc/print_config.py prints the merged config (bases included) and
rejects an unknown --cfg-options key."""
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

from mtl_test_utils import REPO


def _tool():
    spec = importlib.util.spec_from_file_location(
        'print_config', osp.join(REPO, 'tools', 'misc', 'print_config.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prints_the_whole_demo_model_and_saves_it(tmp_path, capsys):
    saved = tmp_path / 'merged.py'
    _tool().main([osp.join(REPO, 'configs', 'gain', 'demo.py'), '--save-path', str(saved),
                  '--cfg-options', 'model.test_cfg.score_thr=0.3'])
    text = capsys.readouterr().out
    # the backbone comes from the model base, the heads from demo.py itself
    assert "type='mmpretrain.MobileNetV3'" in text and "type='OffMaskEvidenceLoss'" in text
    assert "type='ContextErasure'" in text and 'score_thr=0.3' in text
    merged = Config.fromfile(str(saved))
    assert '_base_' not in open(saved).read()
    assert merged.model.loss_weights.offmask == 1.0 and merged.model.cam_evidence


def test_unknown_override_key_is_an_error(capsys):
    with pytest.raises(SystemExit, match='model.test_cfg.scor_thr'):
        _tool().main([osp.join(REPO, 'configs', 'gain', 'demo.py'),
                      '--cfg-options', 'model.test_cfg.scor_thr=0.3'])
