import pytest
import torch

from mtl_plugin.models.heads import CAMClsHead


def test_logits_equal_pooled_linear_and_cam_is_weighted_features():
    torch.manual_seed(0)
    head = CAMClsHead(in_channels=5, num_classes=2)
    head.init_weights()
    feat = torch.randn(3, 5, 4, 6)
    logits, cams = head(feat)
    assert logits.shape == (3, 2) and cams.shape == (3, 2, 4, 6)
    plain = head(feat, with_cam=False)
    torch.testing.assert_close(logits, plain, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(logits, head.logits_from(feat), atol=1e-5,
                               rtol=1e-5)
    # cam_k(x, y) = sum_c W[k, c] f_c(x, y)
    expected = torch.einsum('kc,nchw->nkhw', head.fc.weight, feat)
    torch.testing.assert_close(cams, expected, atol=1e-5, rtol=1e-5)


def test_cam_localises_a_hand_made_feature():
    head = CAMClsHead(in_channels=2, num_classes=2)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
        head.fc.bias.zero_()
    feat = torch.zeros(1, 2, 3, 3)
    feat[0, 0, 1, 2] = 9.0  # channel 0 fires at one location -> class 1
    logits, cams = head(feat)
    assert cams[0, 1].argmax().item() == 1 * 3 + 2
    assert logits[0, 1].item() == 1.0 and logits[0, 0].item() == 0.0


def test_lse_pooling_known_values_and_limits():
    """logits_k = (1/r) log mean exp(r cam_k) + b: one hot cell of value 4 on a
    2x2 grid gives (1/r) log((e^{4r} + 3) / 4); between the mean (1.0) and
    the max (4.0), nearer the max for a large r."""
    head = CAMClsHead(in_channels=1, num_classes=1, pool='lse', lse_r=2.0)
    with torch.no_grad():
        head.fc.weight.fill_(1.0)
        head.fc.bias.zero_()
    feat = torch.zeros(1, 1, 2, 2)
    feat[0, 0, 0, 0] = 4.0
    logits, cams = head(feat)
    expected = torch.log((torch.exp(torch.tensor(8.0)) + 3) / 4) / 2
    torch.testing.assert_close(logits[0, 0], expected)
    assert 1.0 < logits.item() < 4.0
    sharp = CAMClsHead(in_channels=1, num_classes=1, pool='lse', lse_r=50.0)
    sharp.load_state_dict(head.state_dict())
    assert sharp(feat, with_cam=False).item() == pytest.approx(4.0 - torch.log(
        torch.tensor(4.0)).item() / 50.0, abs=1e-4)
    # every path of the head pools the same way
    torch.testing.assert_close(head(feat, with_cam=False), logits)
    torch.testing.assert_close(head.logits_from(feat), logits)
    with pytest.raises(ValueError, match='pool'):
        CAMClsHead(in_channels=1, pool='max')
    with pytest.raises(ValueError, match='lse_r'):
        CAMClsHead(in_channels=1, pool='lse', lse_r=0.0)
