"""Batches of the inputs that load, with the reason for every one that does not.

One unreadable file (empty, truncated, not an image, deleted since it was
listed) must not cost the results of a whole folder: the inferencers load each
input on its own, and by default skip the ones that fail and say why.
"""
import os
import os.path as osp
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import cv2
import numpy as np

#: what to do with an input that cannot be loaded
ON_ERROR = ('skip', 'fail')


class UnreadableImageError(ValueError):
    """An input that cannot be read as an image; names the file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f'cannot read {path!r}: {reason}')
        self.path = path
        self.reason = reason


def unreadable_reason(item: Any, exc: BaseException) -> str:
    """Why ``item`` failed to load with ``exc``: for a file, what is wrong
    with it (missing, empty, not decodable); otherwise the exception."""
    if isinstance(item, str):
        if not osp.isfile(item):
            return 'file not found (deleted or moved after it was listed)'
        if os.path.getsize(item) == 0:
            return 'empty file (0 bytes)'
        data = np.fromfile(item, dtype=np.uint8)
        if cv2.imdecode(data, cv2.IMREAD_UNCHANGED) is None:
            return (f'not a decodable image ({os.path.getsize(item)} bytes: '
                    'truncated, or not an image file)')
    return f'{type(exc).__name__}: {exc}'


def readable_batches(items: Sequence[Any], load: Callable[[Any], Any],
                     batch_size: int, on_error: str = 'skip'
                     ) -> Iterator[Tuple[List[int], List[Any], List[Dict]]]:
    """Load ``items`` one by one and group the loaded ones in batches.

    Args:
        items: inputs (paths, arrays).
        load: ``load(item) -> data``; an exception, or ``None``, means the
            item cannot be loaded.
        batch_size: loaded items per batch.
        on_error: ``'skip'``: leave a failing item out and report it;
            ``'fail'``: raise :class:`UnreadableImageError` at the first.

    Yields:
        ``(indices, data, skipped)``: indices into ``items`` and loaded data
        of up to ``batch_size`` items, and ``dict(img_path, reason)`` of the
        items skipped since the previous batch (the last yield may hold
        skipped items only).
    """
    if on_error not in ON_ERROR:
        raise ValueError(f'on_error must be one of {ON_ERROR}, got {on_error!r}')
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    indices: List[int] = []
    data: List[Any] = []
    skipped: List[Dict] = []
    for i, item in enumerate(items):
        try:
            loaded = load(item)
            if loaded is None:
                raise ValueError('the loader returned nothing')
        except Exception as exc:  # any failure of one input is reported alike
            path = item if isinstance(item, str) else f'array_{i}'
            reason = unreadable_reason(item, exc)
            if on_error == 'fail':
                raise UnreadableImageError(path, reason) from exc
            skipped.append(dict(img_path=path, reason=reason))
            continue
        indices.append(i)
        data.append(loaded)
        if len(data) == batch_size:
            yield indices, data, skipped
            indices, data, skipped = [], [], []
    if data or skipped:
        yield indices, data, skipped
