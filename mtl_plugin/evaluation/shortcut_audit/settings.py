"""Settings of the shortcut audit: how composites are built, how the map
curves are measured, which images are audited.

Every value is in pixels *at the network input* (after the test pipeline's
resize), where the composites are built. The verdict's thresholds live in
:class:`~mtl_plugin.evaluation.shortcut_audit.verdict.VerdictRule`.
"""
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional

#: Where the defect-free content of the necessity test comes from.
FILLS = ('normal', 'inpaint', 'blur')
#: How a region of one image is put into another.
BLENDS = ('hard', 'alpha', 'poisson')
#: What a pixel "removed" by the deletion / insertion curves becomes.
BASELINES = ('blur', 'mean')


@dataclass
class AuditSettings:
    """Options of :func:`~mtl_plugin.evaluation.shortcut_audit.audit_model`.

    Args:
        dilate: radius in px of the square dilation of the defect mask; the
            dilated mask is the *defect region* R that every test replaces,
            pastes or keeps (it takes the defect's border and halo along).
        fill: defect-free content of the necessity test: ``'normal'`` (R of
            a normal image), ``'inpaint'`` (``cv2.inpaint``, Telea) or
            ``'blur'`` (mean of the pixels outside R in a ``blur_size``
            window: a blur that never reads the defect).
        blend: how a region is put into another image (necessity with
            ``fill='normal'``, sufficiency, its control, context swap):
            ``'hard'`` (copy R), ``'alpha'`` (weight 1 on the mask, falling
            linearly to 0 across the dilation ring) or ``'poisson'``
            (``cv2.seamlessClone`` over R, Perez et al. 2003).
        inpaint_radius: radius in px of ``cv2.inpaint``.
        blur_size: window side in px of ``fill='blur'`` (odd).
        num_steps: steps of the deletion / insertion curves (the curve has
            ``num_steps + 1`` points, 0 % .. 100 % of the pixels).
        baseline: what a removed pixel becomes: ``'blur'`` (the pixel of a
            Gaussian-blurred copy of the image) or ``'mean'`` (the image's
            per-channel mean).
        baseline_sigma: sigma in px of the ``'blur'`` baseline; ``None``:
            ``max(H, W) / 16``.
        num_random: random pixel orders per image for the random baseline
            of the curves.
        with_maps: run the map tests when the model gives a map.
        max_images: audit at most this many images of the split (half
            defect, half normal, evenly spaced in the dataset's order);
            ``None``: all.
        num_examples: example composites written per test.
        batch_size: images per forward pass.
        seed: seed of the pairings and of the random pixel orders.
    """

    dilate: int = 3
    fill: str = 'normal'
    blend: str = 'alpha'
    inpaint_radius: int = 3
    blur_size: int = 15
    num_steps: int = 16
    baseline: str = 'blur'
    baseline_sigma: Optional[float] = None
    num_random: int = 1
    with_maps: bool = True
    max_images: Optional[int] = None
    num_examples: int = 4
    batch_size: int = 32
    seed: int = 0

    def __post_init__(self) -> None:
        for name, value, allowed in (('fill', self.fill, FILLS),
                                     ('blend', self.blend, BLENDS),
                                     ('baseline', self.baseline, BASELINES)):
            if value not in allowed:
                raise ValueError(f'AuditSettings: {name}={value!r}; expected one '
                                 f'of {allowed}')
        for name in ('dilate', 'num_examples'):
            if getattr(self, name) < 0:
                raise ValueError(f'AuditSettings: {name}={getattr(self, name)}; '
                                 'expected >= 0')
        for name in ('inpaint_radius', 'num_steps', 'num_random', 'batch_size'):
            if getattr(self, name) < 1:
                raise ValueError(f'AuditSettings: {name}={getattr(self, name)}; '
                                 'expected >= 1')
        if self.blur_size < 1 or self.blur_size % 2 == 0:
            raise ValueError(f'AuditSettings: blur_size={self.blur_size}; expected '
                             'an odd number of pixels')
        if self.max_images is not None and self.max_images < 2:
            raise ValueError(f'AuditSettings: max_images={self.max_images}; '
                             'expected None or >= 2 (a defect and a normal image)')
        if self.baseline_sigma is not None and self.baseline_sigma <= 0:
            raise ValueError(f'AuditSettings: baseline_sigma={self.baseline_sigma}; '
                             'expected None or > 0')

    def to_dict(self) -> Dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)
