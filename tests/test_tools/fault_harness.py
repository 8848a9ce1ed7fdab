"""Helpers of the fault tests (test_faults_*.py): training processes to kill,
and the comparison of a resumed run with an uninterrupted one.

A new interpreter that imports mtl_plugin (mmengine, mmdet, transformers)
spends about 8 s of CPU before training starts, and these tests start more
than a dozen training processes. :class:`TrainRun` therefore forks each one
from multiprocessing's *forkserver*, which imports mtl_plugin once: every run
is still a separate process, started from a state where nothing but imports
happened, that executes tools/train.py as ``__main__`` with its own argv and
environment, whose uncaught exception goes through ``sys.excepthook`` as at
the top level of an interpreter, and that a test can SIGKILL. Runs through
tools/dist_train.sh (torchrun) start their interpreters normally.
"""
import atexit
import multiprocessing
import os
import os.path as osp
import runpy
import signal
import sys
import time
from typing import Dict, List

import torch
from mmengine.runner import CheckpointLoader

from mtl_test_utils import REPO, TEST_DATA

TRAIN = osp.join(REPO, 'tools', 'train.py')
FAULTS_CONFIG = osp.join(TEST_DATA, 'configs', 'toy_faults.py')

_CTX = multiprocessing.get_context('forkserver')
_CTX.set_forkserver_preload(['mtl_plugin'])
_RUNS: List['TrainRun'] = []


@atexit.register
def _kill_leftover_runs() -> None:
    """Runs paused by a test that failed before killing them: they are not
    daemonic (daemons may not start dataloader workers), so multiprocessing
    would wait for them at exit forever."""
    for run in _RUNS:
        if run.process.exitcode is None:
            run.process.kill()


def _train_main(argv: List[str], log_path: str, env: Dict[str, str]) -> None:
    """Body of a forked run: tools/train.py as an interpreter would run it."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, 'w', buffering=1, closefd=False)
    sys.stderr = open(2, 'w', buffering=1, closefd=False)
    os.environ.update(env)
    os.chdir(REPO)
    sys.path[:0] = [REPO, TEST_DATA]
    sys.argv = [TRAIN, *argv]
    torch.set_num_threads(1)  # as tool_env's OMP_NUM_THREADS=1
    code = 0
    try:
        runpy.run_path(TRAIN, run_name='__main__')
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 1
        else:
            code = exc.code or 0
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class TrainRun:
    """``python tools/train.py *argv`` in a forked process; output in ``log``."""

    def __init__(self, argv: List[str], log, **env: str) -> None:
        self.log = str(log)
        self.process = _CTX.Process(target=_train_main,
                                    args=([str(a) for a in argv], self.log, env))
        self.process.start()
        _RUNS.append(self)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> str:
        with open(self.log) as f:
            return f.read()

    def wait(self, timeout: float = 120) -> int:
        """Exit status (negative: killed by that signal)."""
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
            raise AssertionError(f'run still going after {timeout} s:\n'
                                 + self.output[-3000:])
        return self.process.exitcode

    def kill(self) -> None:
        if self.process.exitcode is None:
            os.kill(self.pid, signal.SIGKILL)
        assert self.wait(30) == -signal.SIGKILL


def wait_for_pause(work_dir, proc_alive, timeout: float = 120) -> str:
    """Wait until a run writes ``<work_dir>/paused`` (toy_fault_modules.pause);
    return where it paused."""
    marker = osp.join(str(work_dir), 'paused')
    deadline = time.time() + timeout
    while not osp.exists(marker):
        assert proc_alive(), 'the run ended before pausing'
        assert time.time() < deadline, f'no pause within {timeout} s'
        time.sleep(0.05)
    time.sleep(0.05)  # the marker is written, then the run sleeps
    with open(marker) as f:
        where = f.read()
    os.remove(marker)
    return where


def children(pid: int) -> List[int]:
    """Process ids whose parent is ``pid``."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                # "pid (comm) state ppid ...": comm may hold spaces.
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if ppid == pid:
            found.append(int(entry))
    return found


def environ_of(pid: int) -> Dict[str, str]:
    with open(f'/proc/{pid}/environ', 'rb') as f:
        items = f.read().decode(errors='replace').split('\0')
    return dict(item.split('=', 1) for item in items if '=' in item)


def load(path) -> dict:
    return CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def pointer(work_dir) -> str:
    """The checkpoint file name that ``last_checkpoint`` names."""
    with open(osp.join(str(work_dir), 'last_checkpoint')) as f:
        return osp.basename(f.read().strip())


def assert_same_training_state(ckpt: dict, ref: dict) -> None:
    """Same iteration, weights, SGD momentum, LR schedule and current LR."""
    assert ckpt['meta']['iter'] == ref['meta']['iter']
    for key, value in ref['state_dict'].items():
        torch.testing.assert_close(ckpt['state_dict'][key], value,
                                   rtol=0, atol=0)
    for idx, state in ref['optimizer']['state'].items():
        torch.testing.assert_close(ckpt['optimizer']['state'][idx]['momentum_buffer'],
                                   state['momentum_buffer'], rtol=0, atol=0)
    assert ckpt['param_schedulers'] == ref['param_schedulers']
    lrs = [[g['lr'] for g in c['optimizer']['param_groups']] for c in (ckpt, ref)]
    assert lrs[0] == lrs[1]
