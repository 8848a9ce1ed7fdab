"""Which images the audit reads, and the errors of a pipeline without masks."""
import numpy as np
import pytest

from mtl_plugin.evaluation.shortcut_audit import load_audit_samples, select_indices


def test_subset_is_half_defect_and_evenly_spread():
    labels = [1] * 10 + [0] * 10
    assert select_indices(labels, 1, None) == list(range(20))
    picked = select_indices(labels, 1, 6)
    assert picked == [0, 4, 9, 10, 14, 19]
    # an odd budget gives the extra image to the defects
    assert sum(labels[i] for i in select_indices(labels, 1, 5)) == 3
    # scarce defects: all of them, normal images fill the budget
    scarce = [0] * 10 + [1]
    assert select_indices(scarce, 1, 6) == [0, 2, 4, 7, 9, 10]
    # the defect class is an index, not "label 1"
    assert [labels[i] for i in select_indices(labels, 0, 4)].count(0) == 2


class _Dataset:
    """A dataset whose pipeline forgets the mask of its defect image."""

    def __init__(self, infos, transforms):
        self.infos = infos
        self.pipeline = type('Compose', (), dict(transforms=transforms))()

    def __len__(self):
        return len(self.infos)

    def get_data_info(self, i):
        return dict(self.infos[i])


def _load(results):
    results['img'] = np.zeros((8, 8, 3), np.uint8)
    return results


class PackSomething:
    def __call__(self, results):
        raise AssertionError('the packing transform is not run')


def test_pipeline_up_to_packing_and_named_errors():
    infos = [dict(img_path='n.png', gt_label=0), dict(img_path='d.png', gt_label=1)]
    dataset = _Dataset(infos, [_load, PackSomething()])
    with pytest.raises(KeyError, match='no gt_seg_map for the defect image d.png'):
        load_audit_samples(dataset, 1, where='cfg.py (val split)')
    # mixed supervision: a defect image known to have no mask is skipped
    infos[1]['has_mask'] = False
    samples, skipped = load_audit_samples(dataset, 1)
    assert [s.img_path for s in samples] == ['n.png'] and not samples[0].mask.any()
    assert skipped == ['d.png: defect image without a mask']
    with pytest.raises(KeyError, match='gt_label'):
        load_audit_samples(_Dataset([dict(img_path='x.png')], [_load]), 1)
