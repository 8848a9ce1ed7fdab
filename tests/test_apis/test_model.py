"""build_model: registry build in the config's scope, checked checkpoints."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.runner import save_checkpoint

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.utils.config_checks import ConfigError

from mtl_test_utils import TEST_DATA

if TEST_DATA not in sys.path:
    sys.path.insert(0, TEST_DATA)  # toy_modules (custom_imports of the config)
TOY = osp.join(TEST_DATA, 'configs', 'toy_train.py')


def test_builds_in_eval_mode_on_the_device():
    model = build_model(TOY)
    assert type(model).__name__ == 'ToyRecorderModel'
    assert not model.training
    assert model.fc.weight.device.type == 'cpu'


def test_loads_a_matching_checkpoint(tmp_path):
    source = build_model(TOY)
    with torch.no_grad():
        source.fc.weight.fill_(0.25)
    path = str(tmp_path / 'ok.pth')
    # DDP-wrapped checkpoints carry a 'module.' prefix; it is accepted.
    save_checkpoint({'state_dict': {f'module.{k}': v for k, v in
                                    source.state_dict().items()}}, path)
    model = build_model(load_config(TOY), checkpoint=path)
    assert torch.equal(model.fc.weight, torch.full((1, 4), 0.25))
    assert not model.training


def test_mis_shaped_checkpoint_raises_naming_the_key(tmp_path):
    path = str(tmp_path / 'bad.pth')
    save_checkpoint({'state_dict': {'fc.weight': torch.zeros(1, 5),
                                    'fc.bias': torch.zeros(1)}}, path)
    with pytest.raises(ConfigError, match=r'fc\.weight model \(1, 4\) vs '
                       r'checkpoint \(1, 5\)'):
        build_model(TOY, checkpoint=path)


def test_missing_and_unexpected_keys_are_listed(tmp_path):
    path = str(tmp_path / 'other.pth')
    save_checkpoint({'state_dict': {'fc.weight': torch.zeros(1, 4),
                                    'head.weight': torch.zeros(2)}}, path)
    with pytest.raises(ConfigError) as err:
        build_model(TOY, checkpoint=path)
    msg = str(err.value)
    assert "1 weights missing from the checkpoint, e.g. ['fc.bias']" in msg
    assert "not in the model, e.g. ['head.weight']" in msg
