"""Pretrained checkpoints are resolved before training: cache hit, local file,
unreachable URL (this development machine is offline) with both fixes named."""
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mtl_plugin.utils.config_checks import ConfigError
from mtl_plugin.utils.pretrained_weights import (
    check_pretrained_weights,
    pretrained_refs,
    url_reachable,
)

from mtl_test_utils import REPO

S1 = osp.join(REPO, 'configs', 'gain', 's1.py')
# nothing listens on the discard port: refused at once, online or offline
DEAD_URL = 'http://127.0.0.1:9/weights/efficientnetv2-s_test.pth'


def offline(url):
    return 'URLError: [Errno -2] Name or service not known'


@pytest.fixture
def hub_dir(tmp_path):
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / 'hub'))
    yield str(tmp_path / 'hub')
    torch.hub.set_dir(old)


def test_refs_of_shipped_configs(hub_dir):
    [ref] = pretrained_refs(Config.fromfile(S1))
    assert ref.key == 'model.backbone.init_cfg.checkpoint'
    assert ref.url.startswith('https://download.openmmlab.com/')
    assert ref.path == osp.join(hub_dir, 'checkpoints', osp.basename(ref.url))
    retail = Config.fromfile(osp.join(REPO, 'configs', 'retail',
                                      'retinanet-dense_r50_fpn_1x_sku110k.py'))
    [ref] = pretrained_refs(retail)
    assert ref.checkpoint == 'torchvision://resnet50'
    assert ref.url.startswith('https://download.pytorch.org/models/resnet50')


def test_unreachable_names_file_cache_and_both_fixes(hub_dir):
    cfg = Config.fromfile(S1)
    with pytest.raises(ConfigError) as info:
        check_pretrained_weights(cfg, reachable=offline)
    msg = str(info.value)
    name = 'efficientnetv2-s_in21k-pre-3rdparty_in1k_20221220-7a7c8475.pth'
    assert f'model.backbone.init_cfg.checkpoint={cfg.model.backbone.init_cfg.checkpoint!r}' in msg
    assert osp.join(hub_dir, 'checkpoints', name) in msg
    assert 'Name or service not known' in msg
    assert '--cfg-options model.backbone.init_cfg.checkpoint=PATH' in msg
    assert f'place it at {osp.join(hub_dir, "checkpoints", name)}' in msg


def test_cache_hit_and_local_file_pass_offline(hub_dir, tmp_path):
    cfg = Config.fromfile(S1)
    [ref] = pretrained_refs(cfg)
    os.makedirs(osp.dirname(ref.path))
    open(ref.path, 'wb').close()
    check_pretrained_weights(cfg, reachable=offline)  # cached: no error
    local = tmp_path / 'backbone.pth'
    local.write_bytes(b'')
    cfg.model.backbone.init_cfg.checkpoint = str(local)
    check_pretrained_weights(cfg, reachable=offline)
    cfg.model.backbone.init_cfg.checkpoint = str(tmp_path / 'missing.pth')
    with pytest.raises(ConfigError, match='missing.pth.*no such file'):
        check_pretrained_weights(cfg, reachable=offline)


def test_url_reachable_reports_the_reason():
    reason = url_reachable(DEAD_URL, timeout=2)
    assert reason is not None and 'URLError' in reason


def test_train_tool_stops_before_the_runner(run_tool, tmp_path):
    res = run_tool('train.py', S1, '--work-dir', tmp_path / 'work', '--cfg-options',
                   f'model.backbone.init_cfg.checkpoint={DEAD_URL}',
                   f'train_dataloader.dataset.data_root={tmp_path}',
                   f'val_dataloader.dataset.data_root={tmp_path}',
                   timeout=120)
    assert res.returncode != 0
    assert 'pretrained weights cannot be loaded' in res.stderr
    assert 'efficientnetv2-s_test.pth' in res.stderr
    assert '--cfg-options model.backbone.init_cfg.checkpoint=PATH' in res.stderr
    assert not (tmp_path / 'work').exists()  # no Runner, no work dir
