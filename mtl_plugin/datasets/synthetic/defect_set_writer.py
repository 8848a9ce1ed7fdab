"""The writer every defect family shares: KolektorSDD2 layout and generation record.

A family draws one sample at a time (``render(cfg, split, index) -> (image,
mask, info)``); this module writes ``<out>/train|test/<id>.png`` and
``<id>_GT.png`` (masks 0/255), read by
:class:`mtl_plugin.datasets.DefectDataset`, and
``<out>/generation_info.json`` (family name, parameters and, per image,
label, cue and defect kinds). It also holds the parameter checks the families'
configs share and the random-seed offset of each split, so that every family
derives an image's random generator from ``(random seed, split, index)`` the
same way.
"""
import json
import os
import os.path as osp
from dataclasses import asdict
from typing import Callable, Dict, List, Optional, Sequence

import cv2

#: split -> the second entry of an image's seed ``(seed, split id, index)``
SPLIT_IDS = dict(train=0, val=1, test=2)


def check_shared_parameters(cfg) -> None:
    """The checks every defect family's generator config shares: the
    probabilities lie in [0, 1], the image is at least 32 px, at least one
    defect per defect image; ``ValueError`` naming the field otherwise."""
    for name in ('defect_ratio', 'cue_prob', 'cue_prob_normal', 'test_cue_prob'):
        value = getattr(cfg, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f'{name}={value}; expected a probability in [0, 1]')
    if min(cfg.height, cfg.width) < 32:
        raise ValueError(f'image size {cfg.height}x{cfg.width}; expected >= 32 px')
    if cfg.max_defects < 1:
        raise ValueError(f'max_defects={cfg.max_defects}; expected >= 1')


def write_split(cfg, out_dir: str, split: str, num: int, render: Callable,
                progress: bool = True) -> List[Dict]:
    """Write ``num`` samples of ``split`` under ``out_dir/split``; return infos.

    ``render(cfg, split, index) -> (image, mask, info)`` draws one sample:
    image ``(H, W)`` or ``(H, W, 3)`` BGR uint8, mask ``(H, W)`` uint8 in {0,
    1}, info a dict with at least ``id``, ``label`` and ``cue``.
    """
    folder = osp.join(out_dir, split)
    os.makedirs(folder, exist_ok=True)
    bar = None
    if progress and num:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(num)
    infos = []
    for i in range(num):
        img, mask, info = render(cfg, split, i)
        cv2.imwrite(osp.join(folder, f'{info["id"]}.png'), img)
        cv2.imwrite(osp.join(folder, f'{info["id"]}_GT.png'), mask * 255)
        infos.append(info)
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    return infos


def write_defect_dataset(cfg, out_dir: str, render: Callable,
                         progress: bool = True) -> Dict:
    """Write the train and test splits of ``cfg`` (``num_train`` /
    ``num_test`` samples drawn by ``render``, see :func:`write_split`) and
    ``generation_info.json`` (with the family name ``cfg.family`` and the
    fields of the dataclass ``cfg``); return a summary (per split: images,
    defects, cue rate among defect / normal)."""
    os.makedirs(out_dir, exist_ok=True)
    splits = dict(train=cfg.num_train, test=cfg.num_test)
    record = dict(family=cfg.family,
                  config={k: (list(v) if isinstance(v, tuple) else v)
                          for k, v in asdict(cfg).items()},
                  splits={})
    summary = {}
    for split, num in splits.items():
        infos = write_split(cfg, out_dir, split, num, render, progress)
        record['splits'][split] = infos
        summary[split] = summarize(infos)
    with open(osp.join(out_dir, 'generation_info.json'), 'w') as f:
        json.dump(record, f)
    return summary


def summarize(infos: Sequence[Dict]) -> Dict[str, Optional[float]]:
    """Counts and cue rates of a list of per-image infos."""
    defect = [i for i in infos if i['label'] == 1]
    normal = [i for i in infos if i['label'] == 0]

    def rate(items):
        return sum(i['cue'] for i in items) / len(items) if items else None

    return dict(images=len(infos), defects=len(defect),
                cue_rate_defect=rate(defect), cue_rate_normal=rate(normal))
