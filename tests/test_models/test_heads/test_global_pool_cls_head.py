import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.models.heads import GlobalPoolClsHead
from mtl_plugin.structures import MultiTaskDataSample


def test_pools_selected_levels_and_loss_matches_cross_entropy():
    head = GlobalPoolClsHead(num_classes=3, in_channels=4, in_indices=(0, 2))
    assert head.fc.in_features == 8
    feats = [torch.randn(2, 4, 8, 8), torch.randn(2, 4, 4, 4),
             torch.randn(2, 4, 2, 2)]
    samples = []
    for label in (0, 2):
        s = MultiTaskDataSample()
        s.gt_label = torch.tensor([label])
        samples.append(s)
    logits = head(feats)
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 2]))
    assert torch.allclose(head.loss(feats, samples)['loss_ce'], expected)
    probs = head.predict(feats)
    assert torch.allclose(probs.sum(1), torch.ones(2))
    # the unused level does not change the output
    feats2 = [feats[0], torch.zeros_like(feats[1]), feats[2]]
    assert torch.allclose(head(feats2), logits)
