import importlib.util
import os.path as osp

from diag_helpers import CONFIGS
from mtl_test_utils import REPO


def _tool():
    spec = importlib.util.spec_from_file_location(
        'diagnose_tool', osp.join(REPO, 'tools', 'diagnose.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diagnose_tool_subprocess_exit_code(run_tool):
    bad = run_tool('diagnose.py', osp.join(CONFIGS, 'seg_bgr_mismatch.py'), 'audit')
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert '[ERROR  ] channel order' in bad.stdout
    assert 'audit: FAILED' in bad.stdout


def test_diagnose_tool_in_process(capsys):
    tool = _tool()
    code = tool.run(tool.parse_args([osp.join(CONFIGS, 'tiny_seg.py'), 'metrics']))
    assert code == 0 and 'metrics: OK' in capsys.readouterr().out
    code = tool.run(tool.parse_args(['configs/nope.py', 'audit']))
    out = capsys.readouterr().out
    assert code == 1 and 'configs/nope.py' in out and '[ERROR' in out
