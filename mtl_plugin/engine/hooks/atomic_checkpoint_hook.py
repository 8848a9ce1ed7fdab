"""Checkpoint hook whose saves survive being killed at any moment.

mmengine 0.10.7's :class:`~mmengine.hooks.CheckpointHook` saves in this
order: remove the oldest checkpoint (``max_keep_ckpts``), write the new one in
place (``LocalBackend.put`` opens ``iter_N.pth`` and writes it), then rewrite
``last_checkpoint`` in place. A run killed during the write (pre-emption, the
out-of-memory killer) or stopped by a full disk therefore leaves a partial
``iter_N.pth``; with ``max_keep_ckpts=1`` the previous checkpoint is already
gone, and a kill while ``last_checkpoint`` is rewritten leaves it empty, so
``--resume auto`` has nothing to start from.

:class:`AtomicCheckpointHook` keeps mmengine's options and file names and
changes the order of the steps only:

1. write the checkpoint to ``<name>.tmp`` (through ``runner.save_checkpoint``,
   so the content is exactly mmengine's), flush it to the disk (``fsync``),
   and rename it to ``<name>``: a file with a checkpoint's name is complete;
2. point ``last_checkpoint`` at it, again through a temporary file, ``fsync``
   and rename: ``last_checkpoint`` always names a complete checkpoint;
3. only then remove the checkpoints that ``max_keep_ckpts`` drops.

A kill between any two steps leaves ``last_checkpoint`` on a complete
checkpoint, and ``--resume auto`` continues from it. A checkpoint that was
renamed but not yet removed is removed by the resumed run (the saved
``keep_ckpt_ids`` still lists it, and mmengine's ``before_train`` prunes that
list), and a ``.tmp`` file left by a killed write is removed when the next run
starts. An :class:`OSError` while saving (``ENOSPC``: disk full) removes the
temporary file and stops the run with :class:`CheckpointSaveError`, which names
the file, the free space and the checkpoint to resume from.

Why a subclass rather than a patch of mmengine's file backend: the order of
removal and pointer update is the hook's, and the hook is what configs name
(``configs/_base_/default_runtime.py`` uses this one). Only local
directories get these guarantees; for other backends (``out_dir`` on object
storage, where a rename is not atomic) the hook behaves as mmengine's.
Checkpoints written for ``save_best`` (``best_*.pth``) keep mmengine's
behaviour: ``--resume auto`` does not use them.
"""
import errno
import glob
import os
import os.path as osp
import shutil
from typing import List, Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mtl_plugin.registry import HOOKS

TMP_SUFFIX = '.tmp'


class CheckpointSaveError(OSError):
    """A checkpoint could not be written; the message names the file, the
    free space and the checkpoint that ``--resume auto`` would use."""


def _human_size(num_bytes: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if num_bytes < 1024:
            return f'{num_bytes:.1f} {unit}'
        num_bytes /= 1024
    return f'{num_bytes:.1f} TiB'


def fsync_path(path: str) -> None:
    """Flush a file, or a directory's entries (after a rename), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(tmp_path: str, path: str) -> None:
    """Rename a written ``tmp_path`` to ``path`` so that after a crash either
    the old or the new ``path`` exists, complete."""
    fsync_path(tmp_path)
    os.replace(tmp_path, path)
    if hasattr(os, 'O_DIRECTORY'):  # POSIX: make the rename itself durable
        fsync_path(osp.dirname(path) or '.')


def write_text_durably(path: str, text: str) -> None:
    """Replace the text file ``path`` without ever leaving it partial."""
    tmp_path = path + TMP_SUFFIX
    with open(tmp_path, 'w') as f:
        f.write(text)
    replace_durably(tmp_path, path)


def last_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint named in ``<work_dir>/last_checkpoint``, if it exists
    (with this hook, a checkpoint with that name is complete)."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` with crash-safe saves.

    Same arguments as mmengine's hook; see the module docstring for the order
    of the steps and what a kill at any moment leaves behind.
    """

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and self._is_local():
            self._remove_partial_files(runner)

    # ------------------------------------------------------------- saving
    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._is_local():
            return super()._save_checkpoint_with_step(runner, step, meta)
        outdated = self._update_kept_steps(runner, step)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        tmp_path = self.last_ckpt + TMP_SUFFIX
        try:
            # Runner.save_checkpoint only writes on the main process.
            self._write_temp(runner, filename + TMP_SUFFIX, meta)
            if not is_main_process():
                return
            self._publish(tmp_path, self.last_ckpt)
            self._point_last_checkpoint(runner, self.last_ckpt)
        except OSError as exc:
            if osp.exists(tmp_path):
                os.remove(tmp_path)
            raise CheckpointSaveError(
                exc.errno,
                self._save_error_message(runner, exc, exc.filename or tmp_path)
            ) from exc
        self._remove_checkpoints(outdated)

    def _update_kept_steps(self, runner, step) -> List[int]:
        """Add ``step`` to the kept steps; return the steps it pushes out.

        The message hub (saved in the checkpoint) keeps the pushed-out steps
        until they are removed: a run resumed from this checkpoint after a
        kill before the removal then removes them in ``before_train``.
        """
        if self.max_keep_ckpts <= 0:
            return []
        kept = list(self.keep_ckpt_ids)
        if kept and kept[-1] == step:
            # _save_checkpoint and _save_best_checkpoint may both save a step.
            return []
        kept.append(step)
        outdated = kept[:-self.max_keep_ckpts]
        self.keep_ckpt_ids.append(step)  # a deque of maxlen max_keep_ckpts
        runner.message_hub.update_info('keep_ckpt_ids', kept)
        return outdated

    def _write_temp(self, runner, tmp_filename: str, meta: dict) -> None:
        """Write the checkpoint, as mmengine would, under ``tmp_filename``."""
        runner.save_checkpoint(
            self.out_dir,
            tmp_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)

    def _publish(self, tmp_path: str, path: str) -> None:
        replace_durably(tmp_path, path)

    def _point_last_checkpoint(self, runner, path: str) -> None:
        write_text_durably(osp.join(runner.work_dir, 'last_checkpoint'), path)

    def _remove_checkpoints(self, steps: List[int]) -> None:
        """Remove the checkpoints of ``steps`` (after the new one is in place)."""
        if not is_main_process():
            return
        for step in steps:
            path = osp.join(self.out_dir, self.filename_tmpl.format(step))
            if osp.isfile(path):
                os.remove(path)
            elif osp.isdir(path):  # checkpoints saved by DeepSpeed
                shutil.rmtree(path)

    # ------------------------------------------------------------ helpers
    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _remove_partial_files(self, runner) -> None:
        """Remove temporary files of saves that a kill interrupted."""
        pattern = osp.join(glob.escape(self.out_dir),
                           self.filename_tmpl.format('*') + TMP_SUFFIX)
        for path in sorted(glob.glob(pattern)):
            os.remove(path)
            runner.logger.warning(f'Removed {path}: a checkpoint whose save '
                                  'was interrupted (never complete)')

    def _save_error_message(self, runner, exc: OSError, path: str) -> str:
        try:
            free = _human_size(shutil.disk_usage(self.out_dir).free)
        except OSError:
            free = 'unknown'
        previous = last_complete_checkpoint(runner.work_dir)
        cause = 'no space left on device' if exc.errno == errno.ENOSPC \
            else exc.strerror or str(exc)
        message = (f'could not save checkpoint {self.last_ckpt}: {cause} '
                   f'({path}; free space in {self.out_dir}: {free}).')
        if previous:
            size = _human_size(osp.getsize(previous))
            message += (f' The previous checkpoint {previous} ({size}) is '
                        'complete and named in last_checkpoint; free space '
                        '(or set a smaller max_keep_ckpts) and resume with '
                        '--resume auto.')
        else:
            message += ' No earlier checkpoint exists in this work dir.'
        return message
