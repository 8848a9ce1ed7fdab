"""Single-process training faults: a kill at any point of a checkpoint save, a
full disk, a killed dataloader worker. Each run is killed or fails, then
``--resume auto`` must end in the same state as an uninterrupted run.

The toy config keeps one checkpoint (``max_keep_ckpts=1``), so a save that
removed the previous checkpoint too early would leave nothing to resume from.
"""
import os
import shlex
import signal

import pytest
from fault_harness import (
    FAULTS_CONFIG,
    TRAIN,
    TrainRun,
    assert_same_training_state,
    children,
    load,
    pointer,
    wait_for_pause,
)

CKPT = 'default_hooks.checkpoint'


def _argv(work, *cfg_options, resume=False):
    argv = [FAULTS_CONFIG, '--work-dir', str(work)]
    if resume:
        argv += ['--resume', 'auto']
    if cfg_options:
        argv += ['--cfg-options', *cfg_options]
    return argv


def _train(work, log, *cfg_options, resume=False):
    return TrainRun(_argv(work, *cfg_options, resume=resume), log)


def _resume_hint(work, *cfg_options):
    """The last line of the failure report: the command that resumes."""
    return '  ' + shlex.join(['python', TRAIN, *_argv(work, *cfg_options),
                              '--resume', 'auto'])


def _killed_at(run, work, expected_pause):
    assert wait_for_pause(work, run.process.is_alive) == expected_pause
    run.kill()


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    """The final checkpoint of the same run, never interrupted."""
    work = tmp_path_factory.mktemp('reference')
    run = _train(work, work / 'out.log')
    assert run.wait() == 0, run.output[-3000:]
    return load(work / 'iter_25.pth')


def test_kill_at_each_step_of_a_save_then_resume_matches(tmp_path, reference):
    work = tmp_path / 'work'

    # 1. Killed while the checkpoint of iteration 10 is half written.
    run = _train(work, tmp_path / 'a.log', f'{CKPT}.fault_step=10',
                 f'{CKPT}.fault_stage=mid_write')
    _killed_at(run, work, 'mid_write 10')
    assert pointer(work) == 'iter_5.pth'
    assert load(work / 'iter_5.pth')['meta']['iter'] == 5
    assert not (work / 'iter_10.pth').exists()
    with pytest.raises(Exception):  # the partial file is not a checkpoint
        load(work / 'iter_10.pth.tmp')

    # 2. Resumed, then killed with iter_15.pth in place but last_checkpoint
    # not yet pointing at it.
    run = _train(work, tmp_path / 'b.log', f'{CKPT}.fault_step=15',
                 f'{CKPT}.fault_stage=before_pointer', resume=True)
    _killed_at(run, work, 'before_pointer 15')
    assert 'resumed epoch: 0, iter: 5' in run.output
    assert f'Removed {work}/iter_10.pth.tmp' in run.output
    assert pointer(work) == 'iter_10.pth'
    assert not (work / 'iter_5.pth').exists()  # outdated once iter_10 was in place
    assert load(work / 'iter_10.pth')['meta']['iter'] == 10
    assert load(work / 'iter_15.pth')['meta']['iter'] == 15

    # 3. Resumed, then killed after last_checkpoint moved to iter_20.pth but
    # before the outdated iter_15.pth was removed.
    run = _train(work, tmp_path / 'c.log', f'{CKPT}.fault_step=20',
                 f'{CKPT}.fault_stage=before_remove', resume=True)
    _killed_at(run, work, 'before_remove 20')
    assert 'resumed epoch: 0, iter: 10' in run.output
    assert pointer(work) == 'iter_20.pth'
    assert (work / 'iter_15.pth').exists()

    # 4. Resumed to the end: the left-over iter_15.pth is removed, and the
    # result is the uninterrupted run's.
    run = _train(work, tmp_path / 'd.log', resume=True)
    assert run.wait() == 0, run.output[-3000:]
    assert 'resumed epoch: 0, iter: 20' in run.output
    assert sorted(p.name for p in work.glob('iter_*')) == ['iter_25.pth']
    assert pointer(work) == 'iter_25.pth'
    assert_same_training_state(load(work / 'iter_25.pth'), reference)


def test_disk_full_stops_naming_path_and_free_space_then_resume(tmp_path, reference):
    work = tmp_path / 'work'
    fault = (f'{CKPT}.fault_step=10', f'{CKPT}.fault_stage=mid_write',
             f'{CKPT}.fault=enospc')
    run = _train(work, tmp_path / 'a.log', *fault)
    assert run.wait() == 1
    out = run.output
    assert (f'CheckpointSaveError: [Errno 28] could not save checkpoint '
            f'{work}/iter_10.pth: no space left on device '
            f'({work}/iter_10.pth.tmp; free space in {work}: ') in out
    assert f'The previous checkpoint {work}/iter_5.pth' in out
    assert out.splitlines()[-3:] == [  # the failure report
        'Saving a checkpoint failed (the error above names the file and the '
        'free space).',
        f'The last complete checkpoint is {work}/iter_5.pth. Continue from it with:',
        _resume_hint(work, *fault)]
    # Nothing partial is left, and the previous checkpoint is intact.
    assert sorted(p.name for p in work.glob('iter_*')) == ['iter_5.pth']
    assert pointer(work) == 'iter_5.pth'
    assert load(work / 'iter_5.pth')['meta']['iter'] == 5

    # Space is back: the resumed run ends as the uninterrupted one.
    run = _train(work, tmp_path / 'b.log', resume=True)
    assert run.wait() == 0, run.output[-3000:]
    assert 'resumed epoch: 0, iter: 5' in run.output
    assert_same_training_state(load(work / 'iter_25.pth'), reference)


def test_killed_dataloader_worker_says_what_happened_then_resume(tmp_path, reference):
    work = tmp_path / 'work'
    workers = 'train_dataloader.num_workers=1'
    options = (workers, 'custom_hooks.0.at_iter=12')
    run = _train(work, tmp_path / 'a.log', *options)
    assert wait_for_pause(work, run.process.is_alive) == 'iter 12'
    (worker,) = children(run.pid)
    os.kill(worker, signal.SIGKILL)
    assert run.wait() == 1
    out = run.output
    assert f'DataLoader worker (pid {worker}) is killed by signal: Killed' in out
    assert (f'A dataloader worker process (pid {worker}) was killed by signal '
            "Killed. The usual cause is the kernel's out-of-memory killer") in out
    assert out.splitlines()[-2:] == [
        f'The last complete checkpoint is {work}/iter_10.pth. Continue from it with:',
        _resume_hint(work, *options)]

    run = _train(work, tmp_path / 'b.log', workers, resume=True)
    assert run.wait() == 0, run.output[-3000:]
    assert 'resumed epoch: 0, iter: 10' in run.output
    assert_same_training_state(load(work / 'iter_25.pth'), reference)
