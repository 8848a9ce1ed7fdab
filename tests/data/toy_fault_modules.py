"""Fault injection for the fault tests (tests/test_tools/test_faults_*.py).

Imported by tests/data/configs/toy_faults.py through custom_imports. A hook
*pauses* a run at a chosen point (it writes ``<work_dir>/paused`` and sleeps,
so that the test can SIGKILL it exactly there) or makes a save fail with
``ENOSPC`` as a full disk would.
"""
import errno
import os
import os.path as osp
import time

from mmengine.dist import get_rank, is_main_process
from mmengine.hooks import Hook

from mtl_plugin.engine.hooks.atomic_checkpoint_hook import AtomicCheckpointHook
from mtl_plugin.registry import HOOKS

STAGES = ('mid_write', 'before_pointer', 'before_remove')


def pause(work_dir: str, where: str) -> None:
    """Tell the test where the run is, then wait to be killed."""
    with open(osp.join(work_dir, 'paused'), 'w') as f:
        f.write(where)
    while True:
        time.sleep(1)


@HOOKS.register_module()
class FaultyCheckpointHook(AtomicCheckpointHook):
    """AtomicCheckpointHook with one fault in the save of ``fault_step``.

    ``fault_stage``: ``'mid_write'`` (the temporary file holds half of the
    checkpoint), ``'before_pointer'`` (the checkpoint is in place,
    ``last_checkpoint`` still names the previous one) or ``'before_remove'``
    (``last_checkpoint`` is updated, the outdated checkpoints still exist).
    ``fault``: ``'pause'`` or ``'enospc'``.
    """

    def __init__(self, fault_step=None, fault_stage='mid_write', fault='pause',
                 **kwargs):
        super().__init__(**kwargs)
        assert fault_stage in STAGES and fault in ('pause', 'enospc')
        self.fault_step = fault_step
        self.fault_stage = fault_stage
        self.fault = fault
        self._step = None
        self._work_dir = None

    def before_train(self, runner):
        self._work_dir = runner.work_dir
        super().before_train(runner)

    def _save_checkpoint_with_step(self, runner, step, meta):
        self._step = step
        super()._save_checkpoint_with_step(runner, step, meta)

    def _inject(self, stage, path):
        if (stage != self.fault_stage or self._step != self.fault_step
                or not is_main_process()):
            return
        if stage == 'mid_write':
            os.truncate(path, osp.getsize(path) // 2)
        if self.fault == 'enospc':
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        pause(self._work_dir, f'{stage} {self._step}')

    def _write_temp(self, runner, tmp_filename, meta):
        super()._write_temp(runner, tmp_filename, meta)
        self._inject('mid_write', osp.join(self.out_dir, tmp_filename))

    def _point_last_checkpoint(self, runner, path):
        self._inject('before_pointer', path)
        super()._point_last_checkpoint(runner, path)

    def _remove_checkpoints(self, steps):
        self._inject('before_remove', self.last_ckpt)
        super()._remove_checkpoints(steps)


@HOOKS.register_module()
class PauseAtIterHook(Hook):
    """Pauses the run after iteration ``at_iter`` (None: never), on process
    ``rank`` only (None: on every process). A paused rank is a hung rank for
    the others."""

    def __init__(self, at_iter=None, rank=None):
        self.at_iter = at_iter
        self.rank = rank

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == self.at_iter and self.rank in (None, get_rank()):
            pause(runner.work_dir, f'iter {self.at_iter}')
