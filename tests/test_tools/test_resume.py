"""A training killed with SIGKILL resumes with --resume auto without loss."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import torch
from mmengine.runner import CheckpointLoader

from mtl_test_utils import REPO, tool_env

CONFIG = os.path.join(REPO, 'tests', 'data', 'configs', 'toy_train.py')


def _train(work_dir, *extra, **popen):
    cmd = [sys.executable, os.path.join(REPO, 'tools', 'train.py'), CONFIG,
           '--work-dir', str(work_dir), *extra]
    return subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path):
    max_iters = 30
    # Reference: the same run, never interrupted.
    ref = _train(tmp_path / 'ref', '--cfg-options', f'train_cfg.max_iters={max_iters}')
    ref_out, _ = ref.communicate(timeout=300)
    assert ref.returncode == 0, ref_out[-3000:]

    # Interrupted run: slowed down by a sleep hook so it is killed mid-run,
    # after at least two checkpoints were written.
    work = tmp_path / 'run'
    proc = _train(work, '--cfg-options', f'train_cfg.max_iters={max_iters}',
                  'custom_hooks.0.seconds=0.2')
    deadline = time.time() + 240
    while not (work / 'iter_10.pth').exists():
        assert proc.poll() is None, proc.stdout.read()[-3000:]
        assert time.time() < deadline, 'no checkpoint appeared'
        time.sleep(0.2)
    time.sleep(0.5)  # let the last_checkpoint pointer be written
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    before = {p.name: _sha(p) for p in work.glob('iter_*.pth')}
    logs_before = {p: p.read_bytes() for p in work.glob('*/*.log')}
    assert 'iter_30.pth' not in before
    last = (work / 'last_checkpoint').read_text().strip()
    resumed_from = int(os.path.basename(last)[len('iter_'):-len('.pth')])

    res = _train(work, '--resume', 'auto', '--cfg-options',
                 f'train_cfg.max_iters={max_iters}')
    out, _ = res.communicate(timeout=300)
    assert res.returncode == 0, out[-3000:]
    assert f'resumed epoch: 0, iter: {resumed_from}' in out

    # Earlier checkpoints and the killed run's log are untouched.
    for name, digest in before.items():
        assert _sha(work / name) == digest, f'{name} changed during resume'
        CheckpointLoader.load_checkpoint(str(work / name), map_location='cpu')
    for path, content in logs_before.items():
        assert path.read_bytes()[:len(content)] == content

    final = CheckpointLoader.load_checkpoint(
        str(work / f'iter_{max_iters}.pth'), map_location='cpu')
    ref_final = CheckpointLoader.load_checkpoint(
        str(tmp_path / 'ref' / f'iter_{max_iters}.pth'), map_location='cpu')
    assert final['meta']['iter'] == max_iters
    # Same weights as the uninterrupted run: iteration counter, data order,
    # SGD momentum buffers and the LR schedule were all restored.
    for key, value in ref_final['state_dict'].items():
        torch.testing.assert_close(final['state_dict'][key], value)
    assert final['param_schedulers'] == ref_final['param_schedulers']
    momentum = final['optimizer']['state'][0]['momentum_buffer']
    torch.testing.assert_close(
        momentum, ref_final['optimizer']['state'][0]['momentum_buffer'])
