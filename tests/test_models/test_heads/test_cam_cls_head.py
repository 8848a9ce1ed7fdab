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
