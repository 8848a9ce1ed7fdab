"""The data preprocessor's image part as a traceable module, for exports."""
from torch import Tensor, nn


class ExportPreprocessor(nn.Module):
    """What mmengine's ``ImgDataPreprocessor`` does to an image, in the graph:
    the channel flip (``bgr_to_rgb``) and ``(x - mean) / std``.

    Input ``(N, 3, H, W)`` float32 in the file's channel order (BGR for images
    read with OpenCV) and 0..255 range, already resized; output the
    normalised network input. :attr:`mean`, :attr:`std` (per channel, in the
    order the network sees) and :attr:`bgr_to_rgb` describe it, e.g. for
    the exported file's metadata.
    """

    def __init__(self, data_preprocessor: nn.Module) -> None:
        super().__init__()
        pre = data_preprocessor
        self.bgr_to_rgb = bool(getattr(pre, '_channel_conversion', False))
        self.normalize = bool(getattr(pre, '_enable_normalize', False))
        self.pre = pre

    @property
    def mean(self) -> list:
        """Per-channel mean (float32 buffer values rounded to 5 decimals, so
        that the config's ``123.675`` reads as written)."""
        return ([round(v, 5) for v in self.pre.mean.flatten().tolist()]
                if self.normalize else [0.0] * 3)

    @property
    def std(self) -> list:
        """Per-channel standard deviation, rounded as :attr:`mean`."""
        return ([round(v, 5) for v in self.pre.std.flatten().tolist()]
                if self.normalize else [1.0] * 3)

    def forward(self, img: Tensor) -> Tensor:
        x = img.float()
        if self.bgr_to_rgb:
            x = x.flip(1)
        if self.normalize:
            x = (x - self.pre.mean) / self.pre.std
        return x
