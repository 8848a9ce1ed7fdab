import torch

import mtl_plugin  # noqa: F401
from mtl_plugin.models.backbones import TinyConvNet


def test_conv32_pool_conv64_pool_conv128_shapes():
    net = TinyConvNet(out_indices=(0, 1, 2))
    outs = net(torch.randn(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 32, 32, 32), (2, 64, 16, 16),
                                             (2, 128, 8, 8)]
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 64, 128]
