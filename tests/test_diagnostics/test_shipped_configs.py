"""Permanent suite: every shipped config passes ``audit`` and ``metrics``; the
shipped configs small enough to train in a test pass ``overfit`` on a tiny
synthetic set: each has a derived config under
``tests/data/configs/overfit_small/`` whose ``diagnostics`` dict holds the
overfit options (``image_size``, ``max_iters``, ``val_interval``, ``lr``).

Configs are globbed at collection time, so configs added later are covered.
"""
import glob
import os.path as osp

import pytest

from mtl_plugin.diagnostics import SyntheticTaskDataset, audit, metric_check, overfit

from diag_helpers import load_cfg
from mtl_test_utils import REPO, TEST_DATA

SHIPPED = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                      recursive=True)
                 if '_base_' not in p.split(osp.sep))


def _id(path):
    return osp.relpath(path, osp.join(REPO, 'configs'))


def test_configs_found():
    assert SHIPPED, 'no configs under configs/'


@pytest.mark.parametrize('path', SHIPPED, ids=_id)
def test_audit(path):
    report = audit(load_cfg(path))
    assert report.errors == [], report.format()


@pytest.mark.parametrize('path', SHIPPED, ids=_id)
def test_metrics(path):
    report = metric_check(load_cfg(path))
    assert report.errors == [], report.format()


SMALL = sorted(glob.glob(osp.join(TEST_DATA, 'configs', 'overfit_small', '*.py')))


def test_small_configs_found():
    assert SMALL, 'no configs under tests/data/configs/overfit_small/'


@pytest.mark.parametrize('path', SMALL, ids=osp.basename)
def test_overfit_small(path):
    cfg = load_cfg(path)
    options = dict(cfg.get('diagnostics') or {})
    size = options.get('image_size', 64)
    report = overfit(cfg, num_samples=8, max_iters=options.get('max_iters', 100),
                     val_interval=options.get('val_interval', 25),
                     lr=options.get('lr'),
                     dataset=SyntheticTaskDataset(cfg, 8, size))
    assert report.data['passed'], report.format()
