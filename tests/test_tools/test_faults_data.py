"""An image that was fine when the dataset was indexed fails in the
dataloader: GuardedDataset names the file, the index and the worker, or
skips up to max_bad_samples such samples and counts them."""
import logging
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader

from mtl_plugin.datasets.guarded_dataset import BadSampleError, GuardedDataset

N = 4


@pytest.fixture
def data_root(tmp_path):
    """A KolektorSDD2-style split: N images, each with its mask."""
    split = tmp_path / 'train'
    split.mkdir()
    for i in range(N):
        mask = np.zeros((8, 8), np.uint8)
        mask[:2, :2] = 255 * (i % 2)
        cv2.imwrite(str(split / f'{i:03d}.png'), np.full((8, 8, 3), 40 * i, np.uint8))
        cv2.imwrite(str(split / f'{i:03d}_GT.png'), mask)
    return str(tmp_path)


def _guarded(data_root, max_bad_samples):
    # DefectDataset decodes every image when it builds its data list.
    return GuardedDataset(
        dict(type='DefectDataset', data_root=data_root, split='train',
             pipeline=[dict(type='LoadImageFromFile')]),
        max_bad_samples=max_bad_samples)


def _break(ds, idx):
    """Truncate the image of ``idx`` after indexing; return its path."""
    path = ds.get_data_info(idx)['img_path']
    with open(path, 'r+b') as f:
        f.truncate(20)
    return path


def _load_all(ds, num_workers=1):
    loader = DataLoader(ds, batch_size=1, num_workers=num_workers, shuffle=False,
                        collate_fn=pseudo_collate)
    return [batch['img_path'][0] for batch in loader]


@pytest.fixture
def log_file(tmp_path):
    """What the current MMLogger logs, in this process and in forked
    dataloader workers."""
    path = tmp_path / 'log.txt'
    logger = MMLogger.get_current_instance()
    handler = logging.FileHandler(path)
    logger.addHandler(handler)
    yield path
    logger.removeHandler(handler)
    handler.close()


def test_broken_file_names_file_index_and_worker(data_root):
    ds = _guarded(data_root, max_bad_samples=0)
    path = _break(ds, 2)
    mask = ds.get_data_info(2)['seg_map_path']
    # What the pipeline alone says: no index, no worker.
    with pytest.raises(AssertionError, match=f'^failed to load image: {path}$'):
        ds.dataset[2]
    with pytest.raises(BadSampleError) as info:
        _load_all(ds)
    assert (f'dataset index 2 (img_path={path}, seg_map_path={mask}) failed to '
            'load in dataloader worker 0 (pid ') in str(info.value)
    assert f'AssertionError: failed to load image: {path}. The file was ' \
        'readable when the dataset was indexed' in str(info.value)


def test_deleted_file_in_the_main_process(data_root):
    ds = _guarded(data_root, max_bad_samples=0)
    path = ds.get_data_info(1)['img_path']
    os.remove(path)
    with pytest.raises(BadSampleError,
                       match=rf'dataset index 1 \(img_path={path}, .*\) failed to '
                       rf'load in the main process \(pid {os.getpid()}, '
                       r'num_workers=0\): FileNotFoundError'):
        ds[1]


def test_bad_samples_are_skipped_counted_and_limited(data_root, log_file):
    ds = _guarded(data_root, max_bad_samples=1)
    path = _break(ds, 1)
    paths = [ds.get_data_info(i)['img_path'] for i in range(N)]
    # Index 1 is replaced by the next index; the count is shared with the
    # worker process.
    assert _load_all(ds) == [paths[0], paths[2], paths[2], paths[3]]
    assert ds.num_bad_samples == 1
    out = log_file.read_text()
    assert ('Skipped bad sample 1 of at most 1 (GuardedDataset.max_bad_samples): '
            f'dataset index 1 (img_path={path}') in out
    assert 'using index 2 instead' in out

    assert 'failed to load in dataloader worker 0' in out

    # The next epoch meets it again: a second failure in the same run is one
    # more than allowed. (In the main process this time: torch takes 5 s to
    # stop a worker whose iterator ended in an error.)
    with pytest.raises(BadSampleError, match=(
            rf'dataset index 1 \(img_path={path}, .*This is bad sample 2 of this '
            r'run, more than max_bad_samples=1: stopping')):
        _load_all(ds, num_workers=0)


def test_max_bad_samples_must_be_a_count(data_root):
    with pytest.raises(ValueError, match='max_bad_samples=-1; expected an integer >= 0'):
        _guarded(data_root, max_bad_samples=-1)


def test_wrapper_forwards_dataset_attributes(data_root):
    ds = _guarded(data_root, max_bad_samples=0)
    assert len(ds) == N
    assert ds.metainfo['classes'] == ('normal', 'defect')
    assert ds.layout == 'kolektorsdd2'  # DefectDataset's own attribute
    assert osp.isfile(ds.get_data_info(0)['img_path'])
