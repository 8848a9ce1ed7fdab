"""What a training run prints when it dies: the cause in words, the last
complete checkpoint, and the command that continues from it.

mmengine's Runner lets exceptions propagate and has no hook that runs on a
failure, and some causes reach Python only as a low-level message (torch's
``DataLoader worker (pid N) is killed by signal: Killed.``, gloo's
``Connection closed by peer``). :func:`install_failure_report` (called by
:func:`mtl_plugin.apis.run_setup.setup_train_cfg`, i.e. by tools/train.py)
chains a :data:`sys.excepthook` that prints such a report after Python's
usual traceback (both on stderr). It changes no behaviour: the run still ends
with the same exception and exit status.
"""
import os
import os.path as osp
import re
import shlex
import sys
from typing import List, Mapping, Sequence

from mmengine.dist import is_distributed

from mtl_plugin.datasets.guarded_dataset import BadSampleError

from .hooks.atomic_checkpoint_hook import CheckpointSaveError, last_complete_checkpoint

# torch/csrc/DataLoader.cpp (signal) and torch/utils/data/dataloader.py (exit).
_WORKER_DIED = re.compile(
    r'DataLoader worker \(pid(?:\(s\))? ([\d, ]+)\) '
    r'(?:is killed by signal: ([^.]+)|exited unexpectedly(?: with exit code (-?\d+))?)')
# gloo / NCCL / c10d messages when a peer rank is gone or silent.
_PEER_LOST = re.compile(r'Connection (?:closed|reset) by peer|Broken pipe|'
                        r'[Tt]imed out|NCCL')


def explain(exc: BaseException) -> str:
    """One paragraph saying what an exception that stopped training means."""
    text = str(exc)
    died = _WORKER_DIED.search(text)
    if died:
        pids, signal_name, code = died.groups()
        how = (f'was killed by signal {signal_name.strip()}' if signal_name
               else f'exited unexpectedly (exit code {code})' if code
               else 'exited unexpectedly')
        return (f'A dataloader worker process (pid {pids.strip()}) {how}. The '
                "usual cause is the kernel's out-of-memory killer (dmesg shows "
                'it; lower train_dataloader.num_workers or batch_size, or give '
                'the job more memory); a kill from outside has the same effect. '
                'The checkpoints are not affected.')
    if isinstance(exc, CheckpointSaveError):
        return 'Saving a checkpoint failed (the error above names the file ' \
               'and the free space).'
    if isinstance(exc, BadSampleError):
        return 'A sample could not be loaded (the error above names the ' \
               'file, the dataset index and the dataloader worker).'
    if isinstance(exc, KeyboardInterrupt):
        return 'Training was interrupted (Ctrl-C).'
    if is_distributed() and (_PEER_LOST.search(text) or
                             type(exc).__name__.startswith('Dist')):
        return ('A collective operation with the other ranks failed: another '
                'rank stopped (torchrun\'s summary and that rank\'s output name '
                'its cause) or did not answer within env_cfg.dist_cfg.timeout.')
    return f'Training stopped with {type(exc).__name__} (traceback above).'


def _drop_option(args: Sequence[str], name: str,
                 value_optional: bool) -> List[str]:
    """``args`` without option ``name`` (``name VALUE`` or ``name=VALUE``;
    with ``value_optional``, a bare ``name`` followed by another option)."""
    out: List[str] = []
    skip_value = False
    for arg in args:
        if skip_value:
            skip_value = False
            if not (value_optional and arg.startswith('-')):
                continue
        if arg == name:
            skip_value = True
        elif not arg.startswith(name + '='):
            out.append(arg)
    return out


def resume_command(argv: Sequence[str], config: str,
                   environ: Mapping[str, str]) -> str:
    """The command line that continues this run from its last checkpoint.

    Under torchrun (``--launcher pytorch``) that is ``tools/dist_train.sh``
    with the same options (on every node); otherwise the same
    ``python tools/train.py ...`` command. ``--resume auto`` replaces any
    ``--resume`` option.
    """
    args = _drop_option(argv[1:], '--resume', value_optional=True)
    if 'TORCHELASTIC_RUN_ID' in environ or 'LOCAL_WORLD_SIZE' in environ:
        # dist_train.sh takes the config first and adds --launcher itself.
        rest = _drop_option(args, '--launcher', value_optional=False)
        rest.remove(config)
        script = osp.join(osp.dirname(argv[0]), 'dist_train.sh')
        cmd = [script, config, environ.get('LOCAL_WORLD_SIZE', '1'), *rest]
    else:
        cmd = ['python', argv[0], *args]
    return shlex.join([*cmd, '--resume', 'auto'])


def failure_report(exc: BaseException, work_dir: str, argv: Sequence[str],
                   config: str, environ: Mapping[str, str]) -> str:
    """The text printed after the traceback of an exception that ended a run."""
    lines = [explain(exc)]
    checkpoint = last_complete_checkpoint(work_dir)
    if checkpoint:
        lines.append(f'The last complete checkpoint is {checkpoint}. Continue '
                     'from it with:')
    else:
        lines.append(f'No checkpoint has been saved in {work_dir} yet; this '
                     'starts the run again:')
    lines.append('  ' + resume_command(argv, config, environ))
    # No rank prefix: torch.distributed prefixes each line of an uncaught
    # exception's output with "[rank<N>]: " once the process group exists.
    return '\n'.join(lines)


class _FailureReportHook:
    """``sys.excepthook`` that calls the previous hook, then prints the report."""

    def __init__(self, previous, work_dir: str, config: str) -> None:
        self.previous = previous
        self.work_dir = work_dir
        self.config = config

    def __call__(self, exc_type, exc, tb) -> None:
        self.previous(exc_type, exc, tb)
        try:
            report = failure_report(exc, self.work_dir, sys.argv, self.config,
                                    os.environ)
        except Exception as report_exc:  # never hide the original error
            report = f'(failure report not available: {report_exc!r})'
        print(report, file=sys.stderr, flush=True)


def install_failure_report(work_dir: str, config: str) -> None:
    """Make an uncaught exception end with :func:`failure_report` (replacing
    a report installed earlier in this process)."""
    previous = sys.excepthook
    if isinstance(previous, _FailureReportHook):
        previous = previous.previous
    sys.excepthook = _FailureReportHook(previous, osp.abspath(work_dir), config)
