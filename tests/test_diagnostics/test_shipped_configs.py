"""Permanent suite: every shipped config passes ``audit``; configs that declare
``diagnostics = dict(small=True)`` also pass ``overfit`` on a tiny synthetic set.

Configs are globbed at collection time, so configs added later are covered.
"""
import glob
import os.path as osp

import pytest
from diag_helpers import REPO, load_cfg

from mtl_plugin.diagnostics import SyntheticTaskDataset, audit, overfit

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


def _small(path):
    try:
        return bool((load_cfg(path).get('diagnostics') or {}).get('small'))
    except Exception:  # noqa: BLE001 - test_audit reports configs that do not load
        return False


SMALL = [p for p in SHIPPED if _small(p)]


@pytest.mark.parametrize('path', SMALL, ids=_id)
def test_overfit_small(path):
    cfg = load_cfg(path)
    options = dict(cfg.get('diagnostics') or {})
    size = options.get('image_size', 64)
    report = overfit(cfg, num_samples=8, max_iters=options.get('max_iters', 100),
                     val_interval=options.get('val_interval', 25),
                     lr=options.get('lr'),
                     dataset=SyntheticTaskDataset(cfg, 8, size))
    assert report.data['passed'], report.format()
