"""Dataset wrapper for samples that fail to load after the dataset was indexed.

A dataset checks its files when it builds its data list (``DefectDataset``
decodes every image then), but a file can still be replaced, truncated or
deleted while a run of several hours goes on. The pipeline then fails inside a
dataloader worker with whatever the decoder raises (mmcv's ``AssertionError:
failed to load image``, a bare ``cv2.error``), without the dataset index or
the worker. mmengine's own fallback (``LoadImageFromFile(ignore_empty=True)``
plus ``BaseDataset``'s refetch of a random other index) skips such samples
silently and without limit, so a failing disk goes unnoticed.

:class:`GuardedDataset` wraps any dataset config (an mmengine
``BaseDataset`` or another wrapper) and

* with ``max_bad_samples=0`` (the default) turns the first failure into a
  :class:`BadSampleError` naming the file(s) of the sample's data info, the
  dataset index, the dataloader worker and the original error;
* with ``max_bad_samples=N`` logs each failure (with the running count) and
  loads the next index instead, until more than ``N`` samples failed; then it
  raises :class:`BadSampleError` and the run stops.

The count is shared by the dataloader workers of one process (one rank), for
the whole run: it lives in shared memory created before the workers start.
A replaced sample changes the batch, so a run that skipped samples does not
reproduce a run on intact data.

Example::

    train_dataloader = dict(
        dataset=dict(type='GuardedDataset', max_bad_samples=10,
                     dataset=dict(type='DefectDataset', ...)))
"""
import copy
import logging
import multiprocessing
import os
from typing import Any, Dict, Union

from mmengine.logging import print_log
from torch.utils.data import Dataset, get_worker_info

from mtl_plugin.registry import DATASETS


class BadSampleError(RuntimeError):
    """A sample failed to load; the message names file, index and worker.

    A single message argument, so that torch's DataLoader can re-raise it in
    the main process with the worker's traceback appended.
    """


def _where() -> str:
    info = get_worker_info()
    if info is None:
        return f'the main process (pid {os.getpid()}, num_workers=0)'
    return f'dataloader worker {info.id} (pid {os.getpid()})'


@DATASETS.register_module()
class GuardedDataset(Dataset):
    """Names the file, index and worker of a sample that fails to load, and
    optionally skips up to ``max_bad_samples`` of them (module docstring).

    Args:
        dataset: the wrapped dataset or its config.
        max_bad_samples: failures to skip before stopping (0: stop at the
            first).
    """

    def __init__(self, dataset: Union[Dataset, dict], max_bad_samples: int = 0):
        if isinstance(max_bad_samples, bool) or not isinstance(max_bad_samples, int) \
                or max_bad_samples < 0:
            raise ValueError(f'GuardedDataset: max_bad_samples={max_bad_samples!r}; '
                             'expected an integer >= 0')
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        self.max_bad_samples = max_bad_samples
        # Shared with the forked (or spawned) dataloader workers of this process.
        self._num_bad = multiprocessing.Value('i', 0)

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(getattr(self.dataset, 'metainfo', {}))

    @property
    def num_bad_samples(self) -> int:
        """Samples that failed so far in this process and its workers."""
        return self._num_bad.value

    def full_init(self) -> None:
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getattr__(self, name: str) -> Any:
        # Samplers and hooks call the wrapped dataset's own methods (e.g.
        # mmdet's batch samplers read get_data_info, class-aware samplers
        # get_cat_ids). 'dataset' itself is excluded so that unpickling in a
        # spawned worker, before __dict__ is filled, does not recurse.
        if name == 'dataset':
            raise AttributeError(name)
        return getattr(self.dataset, name)

    def __getitem__(self, idx: int) -> Any:
        size = len(self.dataset)
        for offset in range(size):
            index = (idx + offset) % size
            try:
                return self.dataset[index]
            except Exception as exc:  # any decoder / pipeline failure
                self._count_bad(index, exc)
        raise BadSampleError(f'GuardedDataset: none of the {size} samples loads')

    def _files(self, idx: int) -> Dict[str, str]:
        """The file paths in the sample's data info (``img_path``, ...)."""
        try:
            info = self.dataset.get_data_info(idx)
        except Exception:  # a dataset without data infos: the error text only
            return {}
        return {k: v for k, v in info.items()
                if isinstance(v, str) and (k.endswith('_path') or k == 'filename')}

    def _count_bad(self, idx: int, exc: Exception) -> None:
        """Log a failed sample, or raise once more than ``max_bad_samples`` failed."""
        with self._num_bad.get_lock():
            self._num_bad.value += 1
            count = self._num_bad.value
        files = ', '.join(f'{k}={v}' for k, v in self._files(idx).items()) or \
            'no file paths in its data info'
        message = (f'dataset index {idx} ({files}) failed to load in {_where()}: '
                   f'{type(exc).__name__}: {exc}')
        if count > self.max_bad_samples:
            if self.max_bad_samples == 0:
                advice = ('The file was readable when the dataset was indexed, so '
                          'it was changed, truncated or deleted since; replace it, '
                          'or let GuardedDataset(max_bad_samples=N) skip up to N '
                          'such samples.')
            else:
                advice = (f'This is bad sample {count} of this run, more than '
                          f'max_bad_samples={self.max_bad_samples}: stopping (a '
                          'failing disk, or files being rewritten?).')
            raise BadSampleError(f'{message}. {advice}') from exc
        print_log(f'Skipped bad sample {count} of at most {self.max_bad_samples} '
                  f'(GuardedDataset.max_bad_samples): {message}; using index '
                  f'{(idx + 1) % len(self.dataset)} instead',
                  logger='current', level=logging.WARNING)
