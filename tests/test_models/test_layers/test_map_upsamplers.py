import torch
import torch.nn.functional as F

from mtl_plugin.models.layers import BilinearMapUpsampler, DeconvMapDecoder


def test_bilinear_matches_interpolate():
    maps = torch.randn(2, 1, 4, 4)
    out = BilinearMapUpsampler()(maps, (32, 32))
    torch.testing.assert_close(
        out, F.interpolate(maps, size=(32, 32), mode='bilinear',
                           align_corners=False))


def test_deconv_decoder_starts_as_bilinear_and_learns():
    torch.manual_seed(0)
    decoder = DeconvMapDecoder(in_channels=1, hidden_channels=4, num_layers=2)
    decoder.init_weights()
    maps = torch.randn(2, 1, 4, 4, requires_grad=True)
    out = decoder(maps, (32, 32))
    torch.testing.assert_close(out, BilinearMapUpsampler()(maps, (32, 32)))
    target = torch.zeros(2, 1, 32, 32)
    target[:, :, 3:5, 3:5] = 1  # finer than a 4x4 grid can express
    optim = torch.optim.Adam(decoder.parameters(), lr=0.05)
    first = None
    for _ in range(30):
        loss = F.binary_cross_entropy_with_logits(
            decoder(maps.detach(), (32, 32)), target)
        first = loss.item() if first is None else first
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < first  # the learned residual improves on bilinear
