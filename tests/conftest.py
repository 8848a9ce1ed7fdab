import os
import os.path as osp
import subprocess
import sys

import pytest

import mtl_plugin  # noqa: F401  (compat fixes, as in every user process)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEST_DATA = osp.join(REPO, 'tests', 'data')


def tool_env(**extra) -> dict:
    """Environment for subprocess runs of tools/: repo + tests/data importable."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO, TEST_DATA] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env.setdefault('OMP_NUM_THREADS', '1')
    env.update(extra)
    return env


@pytest.fixture
def run_tool():
    """Run ``python tools/<script> args...`` from the repo root."""

    def _run(script, *args, timeout=300, **kwargs):
        cmd = [sys.executable, osp.join(REPO, 'tools', script), *map(str, args)]
        return subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True,
                              text=True, timeout=timeout, **kwargs)

    return _run
