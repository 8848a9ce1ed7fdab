"""One rank of a 2-rank gloo job dies: the job ends within a bounded time and
``--resume auto`` continues exactly. Plus tools/dist_train.sh's handling of
signals and failures, with a stand-in for Python (no training)."""
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

from fault_harness import (
    FAULTS_CONFIG,
    TrainRun,
    assert_same_training_state,
    children,
    environ_of,
    load,
    pointer,
    wait_for_pause,
)

from mtl_test_utils import REPO, tool_env

DIST_TRAIN = os.path.join(REPO, 'tools', 'dist_train.sh')
# torchrun notices a failed worker within its monitor interval (0.1 s) and
# gives the others 30 s to exit after SIGTERM before it SIGKILLs them.
STOP_BOUND_S = 45


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _descendants(pid):
    found = []
    for child in children(pid):
        found += [child, *_descendants(child)]
    return found


def _rank_pid(job_pid, rank):
    for pid in _descendants(job_pid):
        try:
            if environ_of(pid).get('RANK') == str(rank):
                return pid
        except OSError:
            continue
    raise AssertionError(f'no process of rank {rank} under {job_pid}')


def _start_ranks(options, log_dir):
    """The two ranks of a job, started from the environment as torchrun
    starts them, but forked (see fault_harness): cheaper than dist_train.sh
    where torchrun itself is not under test."""
    port = str(_free_port())
    return [TrainRun([FAULTS_CONFIG, *options, '--launcher', 'pytorch'],
                     log_dir / f'rank{rank}.log', RANK=str(rank),
                     LOCAL_RANK=str(rank), WORLD_SIZE='2', LOCAL_WORLD_SIZE='2',
                     MASTER_ADDR='127.0.0.1', MASTER_PORT=port)
            for rank in range(2)]


def test_killed_rank_stops_the_job_then_resume_matches(tmp_path):
    work = tmp_path / 'work'
    options = ['--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=10']
    fault = ['default_hooks.checkpoint.fault_step=10',
             'default_hooks.checkpoint.fault_stage=before_pointer']
    job = subprocess.Popen(
        ['bash', DIST_TRAIN, FAULTS_CONFIG, '2', *options, *fault], cwd=REPO,
        env=tool_env(PORT=str(_free_port()), PYTHON=sys.executable),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        # Rank 0 pauses inside its save of iteration 10 (iter_10.pth is in
        # place, last_checkpoint still names iter_5.pth); rank 1 waits for it
        # in DDP's gradient all-reduce of iteration 11.
        assert wait_for_pause(work, lambda: job.poll() is None) == \
            'before_pointer 10'
        rank0 = _rank_pid(job.pid, 0)
        start = time.time()
        os.kill(rank0, signal.SIGKILL)
        out, _ = job.communicate(timeout=STOP_BOUND_S + 30)
        stopped_after = time.time() - start
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()
    assert job.returncode == 1, out[-3000:]
    assert stopped_after < STOP_BOUND_S, out[-3000:]
    # torchrun's summary names the rank and the signal; dist_train.sh adds
    # the command that resumes.
    assert f'Signal 9 (SIGKILL) received by PID {rank0}' in out
    assert out.splitlines()[-1] == '  ' + shlex.join(
        [DIST_TRAIN, FAULTS_CONFIG, '2', *options, *fault, '--resume', 'auto'])

    assert pointer(work) == 'iter_5.pth'
    # iter_10.pth, renamed before the kill, is the uninterrupted run's state.
    uninterrupted = load(work / 'iter_10.pth')

    # The whole job again, resumed.
    ranks = _start_ranks([*options, '--resume', 'auto'], tmp_path)
    for run in ranks:
        assert run.wait() == 0, run.output[-3000:]
    assert 'resumed epoch: 0, iter: 5' in ranks[0].output
    assert sorted(p.name for p in work.glob('iter_*')) == ['iter_10.pth']
    assert_same_training_state(load(work / 'iter_10.pth'), uninterrupted)


def test_hung_rank_fails_the_others_after_dist_cfg_timeout(tmp_path):
    """A rank that stops answering without dying (a stuck disk, a debugger):
    no process exits, so torchrun has nothing to react to; the process-group
    timeout of env_cfg.dist_cfg bounds the wait of the others."""
    work = tmp_path / 'work'
    timeout_s = 3
    rank0, rank1 = _start_ranks(
        ['--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=10',
         f'env_cfg.dist_cfg.timeout={timeout_s}', 'custom_hooks.0.at_iter=3',
         'custom_hooks.0.rank=1'], tmp_path)
    try:
        assert wait_for_pause(work, rank1.process.is_alive) == 'iter 3'
        start = time.time()
        assert rank0.wait(timeout_s + 60) == 1
        waited = time.time() - start
    finally:
        rank1.process.kill()  # paused: a hung rank stays until killed
        rank1.process.join()
    assert timeout_s - 1 < waited < timeout_s + 30
    out = rank0.output
    assert f'Timed out waiting {timeout_s * 1000}ms' in out
    assert '[rank0]: A collective operation with the other ranks failed' in out


def _fake_python(tmp_path, body):
    """A stand-in for "$PYTHON -m torch.distributed.run ..."."""
    path = tmp_path / 'python'
    path.write_text('#!/usr/bin/env bash\n' + body)
    path.chmod(0o755)
    return str(path)


def test_dist_train_forwards_sigterm_and_prints_the_resume_command(tmp_path):
    started = tmp_path / 'started'
    fake = _fake_python(tmp_path, f'''
sleep 30 &
trap 'echo "torchrun got TERM"; kill $!; exit 143' TERM
touch {shlex.quote(str(started))}
wait
''')
    job = subprocess.Popen(['bash', DIST_TRAIN, 'cfg.py', '4', '--amp'],
                           env=tool_env(PYTHON=fake), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 10
    while not started.exists():
        assert time.time() < deadline
        time.sleep(0.02)
    job.send_signal(signal.SIGTERM)  # e.g. a scheduler pre-empting the job
    out, _ = job.communicate(timeout=10)
    assert job.returncode == 143
    assert 'torchrun got TERM' in out
    assert 'the job stopped (torchrun exit status 143' in out
    assert out.splitlines()[-1] == f'  {DIST_TRAIN} cfg.py 4 --amp --resume auto'


def test_dist_train_failure_keeps_status_and_replaces_resume_option(tmp_path):
    fake = _fake_python(tmp_path, 'exit 3\n')
    res = subprocess.run(['bash', DIST_TRAIN, 'cfg.py', '2', '--resume', 'x.pth',
                          '--work-dir', 'a b'], env=tool_env(PYTHON=fake),
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 3
    assert res.stderr.splitlines()[-1] == \
        f"  {DIST_TRAIN} cfg.py 2 --work-dir a\\ b --resume auto"
