"""Two CPU processes (gloo) train through tools/dist_train.sh and mmengine DDP."""
import os.path as osp
import socket
import subprocess
import sys

from mmengine.runner import CheckpointLoader

from mtl_test_utils import REPO, tool_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_rank_cpu_training_sees_different_data(tmp_path):
    work_dir = tmp_path / 'work'
    record = tmp_path / 'seen'
    env = tool_env(PORT=str(_free_port()), PYTHON=sys.executable)
    cmd = ['bash', osp.join(REPO, 'tools', 'dist_train.sh'),
           osp.join(REPO, 'tests', 'data', 'configs', 'toy_train.py'), '2',
           '--work-dir', str(work_dir), '--cfg-options',
           f'model.record_dir={record}', 'train_cfg.max_iters=6']
    res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]

    seen = [set((record / f'seen_rank{r}.txt').read_text().split())
            for r in range(2)]
    # 6 iterations x batch 4 per rank, from disjoint halves of each epoch.
    assert all(len(s) > 0 for s in seen)
    assert seen[0].isdisjoint(seen[1])

    ckpt_path = work_dir / 'iter_6.pth'
    assert ckpt_path.is_file()
    ckpt = CheckpointLoader.load_checkpoint(str(ckpt_path), map_location='cpu')
    assert ckpt['meta']['iter'] == 6
    assert set(ckpt['state_dict']) == {'fc.weight', 'fc.bias'}
    log = open(next(work_dir.glob('*/*.log'))).read()
    assert 'Distributed launcher: pytorch' in log or 'launcher: pytorch' in log
    assert "'backend': 'gloo'" in log
