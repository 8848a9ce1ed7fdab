import pytest
import torch
from mmengine.structures import PixelData

import mtl_plugin  # noqa: F401
from mtl_plugin.models.heads import TransposedConvSegHead
from mtl_plugin.structures import MultiTaskDataSample


def _feats(n=2, size=32, c=8):
    return [torch.randn(n, c, size // s, size // s) for s in (4, 8, 16)]


def test_output_at_input_resolution_and_loss_ignores_padding():
    head = TransposedConvSegHead(num_classes=3, in_channels=8, channels=4,
                                 in_stride=4, num_inputs=3)
    logits = head(_feats())
    assert logits.shape == (2, 3, 32, 32)
    samples = []
    for _ in range(2):
        s = MultiTaskDataSample(metainfo=dict(img_shape=(28, 30),
                                              ori_shape=(28, 30)))
        s.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, 28, 30)))
        samples.append(s)
    gt = head._stack_gt(samples, (32, 32), 255)
    assert gt.shape == (2, 32, 32)
    assert (gt[:, 28:] == 255).all() and (gt[:, :, 30:] == 255).all()
    loss = head.loss(_feats(), samples)['loss_ce']
    assert loss.ndim == 0 and loss.item() > 0
    loss.backward()
    assert head.upsample[0].weight.grad is not None


def test_predict_crops_padding_and_rescales_to_ori_shape():
    head = TransposedConvSegHead(num_classes=3, in_channels=8, channels=4,
                                 in_stride=4, num_inputs=3).eval()
    s = MultiTaskDataSample(metainfo=dict(img_shape=(28, 30),
                                          ori_shape=(56, 60)))
    out = head.predict(_feats(n=1), [s])[0]
    assert out.data.shape == (1, 56, 60) and out.data.dtype == torch.long
    out = head.predict(_feats(n=1), [s], rescale=False)[0]
    assert out.data.shape == (1, 28, 30)


def test_narrowing_upsampling_stages():
    head = TransposedConvSegHead(num_classes=3, in_channels=8, channels=8,
                                 up_channels=(4, 2, 2), in_stride=8,
                                 num_inputs=2)
    feats = [torch.randn(1, 8, 4, 4), torch.randn(1, 8, 2, 2)]
    assert head(feats).shape == (1, 3, 32, 32)
    deconvs = [m for m in head.upsample if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [d.out_channels for d in deconvs] == [4, 2, 2]


def test_rejects_bad_strides_and_channel_lists():
    with pytest.raises(ValueError, match='power of 2'):
        TransposedConvSegHead(num_classes=2, in_stride=6)
    with pytest.raises(ValueError, match='up_channels needs 3'):
        TransposedConvSegHead(num_classes=2, in_stride=8, up_channels=(4, 2))
