import torch

import mtl_plugin  # noqa: F401  (registers mmdet modules in the scope)
from mtl_plugin.models.heads import GAINLocalizationHead


def _head(**kwargs):
    return GAINLocalizationHead(
        neck=dict(type='FPN', in_channels=[4, 8], out_channels=6, num_outs=2),
        **kwargs)


def _feats(requires_grad=False):
    return [torch.randn(2, 4, 8, 8, requires_grad=requires_grad),
            torch.randn(2, 8, 4, 4, requires_grad=requires_grad)]


def test_output_at_finest_level_and_losses():
    head = _head()
    logits = head(_feats())
    assert logits.shape == (2, 1, 8, 8)
    mask = torch.zeros(2, 1, 8, 8)
    mask[:, :, 2:4, 2:4] = 1
    losses = head.loss(logits, mask)
    assert set(losses) == {'loss_loc_bce', 'loss_loc_dice'}
    assert all(v.ndim == 0 and v.item() > 0 for v in losses.values())
    # A perfect prediction has (near) zero BCE and Dice loss.
    perfect = head.loss((mask * 2 - 1) * 30, mask)
    assert perfect['loss_loc_bce'].item() < 1e-6
    assert perfect['loss_loc_dice'].item() < 1e-3


def test_detach_input_stops_gradient_to_features():
    for detach, reaches in ((True, False), (False, True)):
        head = _head(detach_input=detach)
        feats = _feats(requires_grad=True)
        losses = head.loss(head(feats), torch.ones(2, 1, 8, 8))
        sum(losses.values()).backward()
        assert (feats[0].grad is not None) is reaches
        assert head.out.weight.grad.abs().sum() > 0
