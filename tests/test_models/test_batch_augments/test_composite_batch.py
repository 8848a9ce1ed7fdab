import torch

from mtl_plugin.models.batch_augments import CompositeBatch


def test_empty_and_cat_keep_shapes_and_order():
    like = torch.zeros(4, 3, 6, 5, dtype=torch.bfloat16)
    empty = CompositeBatch.empty(like)
    assert empty.num_images == 0 and empty.images.shape == (0, 3, 6, 5)
    assert empty.images.dtype == torch.bfloat16
    assert empty.masks.shape == (0, 1, 6, 5) and empty.labels.dtype == torch.long
    one = CompositeBatch(like[:2] + 1, torch.tensor([1, 0]),
                         torch.ones(2, 1, 6, 5), torch.tensor([0, 1]),
                         torch.tensor([1, -1]))
    both = CompositeBatch.cat([one, empty, one])
    assert both.num_images == 4
    assert both.labels.tolist() == [1, 0, 1, 0]
    assert both.targets.tolist() == [1, -1, 1, -1]


def test_subsample_draws_a_fraction_in_batch_order():
    from mtl_plugin.models.batch_augments.composite_batch import subsample
    idx = torch.tensor([1, 3, 4, 6, 7, 9, 10, 12])
    torch.manual_seed(0)
    part = subsample(idx, 0.25)
    assert part.numel() == 2 and set(part.tolist()) <= set(idx.tolist())
    assert part.tolist() == sorted(part.tolist())
    assert subsample(idx, 1.0) is idx
    assert subsample(idx[:1], 0.1).tolist() == [1]
    assert subsample(idx[:0], 0.5).numel() == 0
