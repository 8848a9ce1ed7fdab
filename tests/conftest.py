import os.path as osp
import subprocess
import sys

import pytest

import mtl_plugin  # noqa: F401  (compat fixes, as in every user process)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from mtl_test_utils import REPO, tool_env  # noqa: E402


@pytest.fixture
def run_tool():
    """Run ``python tools/<script> args...`` from the repo root."""

    def _run(script, *args, timeout=300, **kwargs):
        cmd = [sys.executable, osp.join(REPO, 'tools', script), *map(str, args)]
        return subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True,
                              text=True, timeout=timeout, **kwargs)

    return _run


@pytest.fixture(autouse=True)
def plugin_default_scope():
    """Start every test in the plugin's scope.

    mmengine's default scope is process-global: a test that builds a stock
    mmdet config leaves it at 'mmdet', after which building through our
    registries would look in mmdet's. Users get the scope from the config's
    ``default_scope``; tests get it here.
    """
    from mmengine.registry import init_default_scope
    init_default_scope('mtl_plugin')
    yield
