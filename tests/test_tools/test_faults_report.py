"""The report printed after the traceback of a failed training run
(mtl_plugin.engine.failure_report): the cause in words and the command that
resumes. The process-level tests (test_faults_*.py) show it in real runs."""
from mtl_plugin.engine.failure_report import explain, failure_report, resume_command

ARGV = ['tools/train.py', 'cfgs/a.py', '--work-dir', 'w', '--amp']


def test_resume_command_replaces_any_resume_option():
    for extra in (['--resume'], ['--resume', 'auto'], ['--resume', 'w/iter_5.pth'],
                  ['--resume=w/iter_5.pth']):
        assert resume_command([*ARGV, *extra], 'cfgs/a.py', {}) == \
            'python tools/train.py cfgs/a.py --work-dir w --amp --resume auto'
    # A bare --resume followed by an option keeps that option.
    assert resume_command(['tools/train.py', 'cfgs/a.py', '--resume', '--amp'],
                          'cfgs/a.py', {}) == \
        'python tools/train.py cfgs/a.py --amp --resume auto'


def test_resume_command_under_torchrun_is_dist_train():
    argv = [*ARGV, '--launcher', 'pytorch', '--cfg-options', 'a=1 b']
    env = {'LOCAL_WORLD_SIZE': '4', 'TORCHELASTIC_RUN_ID': 'x', 'RANK': '3'}
    assert resume_command(argv, 'cfgs/a.py', env) == \
        "tools/dist_train.sh cfgs/a.py 4 --work-dir w --amp --cfg-options " \
        "'a=1 b' --resume auto"


def test_worker_exit_without_signal_is_explained():
    exc = RuntimeError('DataLoader worker (pid(s) 41, 42) exited unexpectedly')
    assert explain(exc).startswith('A dataloader worker process (pid 41, 42) '
                                   'exited unexpectedly.')


def test_report_without_checkpoint_says_the_run_starts_again(tmp_path):
    report = failure_report(KeyboardInterrupt(), str(tmp_path), ARGV, 'cfgs/a.py', {})
    assert report.splitlines() == [
        'Training was interrupted (Ctrl-C).',
        f'No checkpoint has been saved in {tmp_path} yet; this starts the run again:',
        '  python tools/train.py cfgs/a.py --work-dir w --amp --resume auto']
