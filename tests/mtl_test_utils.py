"""Helpers shared by tests that run the tools in subprocesses."""
import os
import os.path as osp

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
