import pytest

from diag_helpers import write_seg_folder


@pytest.fixture
def tiny_seg_root(tmp_path):
    root = str(tmp_path / 'tiny_seg')
    write_seg_folder(root)
    return root
