"""One scanner per folder layout read by :class:`~mtl_plugin.datasets.DefectDataset`."""
from typing import Optional, Sequence, Union

from .files import SPLITS, Candidate, Entry
from .gain_mtl import GainMTLLayout
from .kolektorsdd2 import KolektorSDD2Layout
from .mvtec import MVTecLayout

#: Layout names, in the order ``layout='auto'`` tries them.
LAYOUTS = ('gain_mtl', 'kolektorsdd2', 'mvtec')

Layout = Union[GainMTLLayout, KolektorSDD2Layout, MVTecLayout]


def detect_layout(root: str) -> str:
    """Name of the first layout of :data:`LAYOUTS` that ``root`` matches."""
    for cls in (GainMTLLayout, KolektorSDD2Layout, MVTecLayout):
        if cls.matches(root):
            return cls.name
    raise ValueError(
        f'DefectDataset: cannot detect the layout of {root}: expected '
        'images/ + masks/ (gain_mtl), train|test/<id>_GT.png (kolektorsdd2) '
        'or [<category>/]train/good + ground_truth/ (mvtec)')


def build_layout(name: str, category: Optional[Sequence[str]] = None) -> Layout:
    """Scanner of layout ``name``; ``category`` selects MVTec AD categories
    (the other layouts have none)."""
    if name == 'mvtec':
        return MVTecLayout(category)
    return dict(gain_mtl=GainMTLLayout, kolektorsdd2=KolektorSDD2Layout)[name]()


__all__ = ['LAYOUTS', 'SPLITS', 'Candidate', 'Entry', 'GainMTLLayout',
           'KolektorSDD2Layout', 'MVTecLayout', 'build_layout', 'detect_layout']
