"""The synthetic defect families by name, for tools that pick one
(``tools/data/generate_defects.py --family``, ``benchmarks/gain_strategies.py``).

``metal``: :mod:`.metal_defect_generator` (brushed-metal grey surfaces, scratches /
spots / cracks / stains, corner-stamp cue). ``textile``:
:mod:`.textile_defect_generator` (woven greige fabric, holes / missing
threads / knots / oil spots, global colour-cast cue). ``photo``:
:mod:`.photo_defect_generator` (real texture photographs, hairline scratches /
faint stains / fine crack networks, a stamp, colour-cast or surface cue).
"""
from typing import Callable, Dict, NamedTuple, Tuple

from . import metal_defect_generator, photo_defect_generator, textile_defect_generator


class DefectFamily(NamedTuple):
    """One family: its config dataclass, dataset writer and defect kinds."""
    config: type
    generate_dataset: Callable
    kinds: Tuple[str, ...]


DEFECT_FAMILIES: Dict[str, DefectFamily] = dict(
    metal=DefectFamily(metal_defect_generator.MetalDefectGeneratorConfig,
                       metal_defect_generator.generate_defect_dataset,
                       metal_defect_generator.DEFECT_KINDS),
    textile=DefectFamily(textile_defect_generator.TextileDefectGeneratorConfig,
                         textile_defect_generator.generate_defect_dataset,
                         textile_defect_generator.TEXTILE_DEFECT_KINDS),
    photo=DefectFamily(photo_defect_generator.PhotoDefectGeneratorConfig,
                       photo_defect_generator.generate_defect_dataset,
                       photo_defect_generator.PHOTO_DEFECT_KINDS),
)


def get_family(name: str) -> DefectFamily:
    """The family called ``name``; a clear error for any other name."""
    if name not in DEFECT_FAMILIES:
        raise ValueError(f'unknown defect family {name!r}; expected one of '
                         f'{sorted(DEFECT_FAMILIES)}')
    return DEFECT_FAMILIES[name]
