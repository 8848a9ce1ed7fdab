"""Best CAM-IoU a map of a given grid size can reach on a dataset (oracle).

    python tools/analysis/cam_resolution_ceiling.py CONFIG
        [--grids 4 8 16 32] [--split test]
        [--out ceiling.json] [--cfg-options k=v ...]

A weight-based CAM lives on the last feature grid (input / 32: 4x4 at 128 px,
16x16 at 512 px). However good the classifier, its CAM can only be as sharp as
that grid after upsampling. This tool measures that ceiling: for every defect
image of the config's ``test_dataloader`` (or ``val_dataloader``), the
"perfect" grid map is the GT mask average-pooled to ``g x g`` cells (the
fraction of defect pixels per cell); it is upsampled back to the input size
exactly as the model's :class:`BilinearMapUpsampler` does and scored by
:class:`CAMMetric` with the config's test evaluator settings. The printed
``cam/iou`` per grid is the CAM-IoU of a model whose CAM is the best the grid
can hold (about 0.5 for 7x7-16x16 grids on thin synthetic defects).

No model or checkpoint is needed; the dataset pipeline of the config is used,
so images and masks are resized as in testing.
"""
import argparse
import json
from typing import Dict, List, Sequence

from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--grids', type=int, nargs='+', default=[4, 8, 16, 32],
                        help='square grid sizes (cells per side)')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='which dataloader of the config to read')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def cam_metric_kwargs(evaluator) -> dict:
    """Arguments of the config's ``CAMMetric`` (defaults when it has none)."""
    evaluators = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    for ev in evaluators:
        if ev.get('type') == 'CAMMetric':
            return {k: v for k, v in ev.items() if k != 'type'}
    return {}


def ceiling(samples: Sequence, grids: Sequence[int],
            metric_kwargs: dict) -> Dict[int, Dict[str, float]]:
    """Oracle CAM metrics per grid size.

    Args:
        samples: packed data samples with ``gt_label`` and ``gt_sem_seg``
            (``(1, H, W)`` masks at input size).
        grids: grid sizes ``g`` (the oracle map is ``(1, g, g)``).
        metric_kwargs: ``CAMMetric`` arguments.

    Returns:
        ``{g: CAMMetric results}`` (keys without prefix: ``iou``,
        ``iou_best``, ``pxap``, ``point_game``, ``energy_inside``, ...).
    """
    import torch.nn.functional as F
    from mmengine.structures import PixelData

    from mtl_plugin.evaluation.metrics import CAMMetric
    from mtl_plugin.models.layers import BilinearMapUpsampler
    upsample = BilinearMapUpsampler()
    results = {}
    for g in grids:
        if g < 1:
            raise ValueError(f'--grids: grid sizes must be >= 1, got {g}')
        metric = CAMMetric(**metric_kwargs)
        for sample in samples:
            mask = sample.gt_sem_seg.data.float()
            size = tuple(mask.shape[-2:])
            cells = F.adaptive_avg_pool2d((mask > 0).float()[None], (g, g))
            oracle = sample.clone()
            oracle.pred_cam = PixelData(data=upsample(cells, size)[0])
            metric.process({}, [oracle.to_dict()])
        results[g] = metric.compute_metrics(metric.results)
    return results


def load_samples(cfg, split: str) -> List:
    """Packed data samples of the ``split`` dataloader's dataset."""
    from mtl_plugin.apis import build_dataset
    dataset = build_dataset(cfg, split)
    return [dataset[i]['data_samples'] for i in range(len(dataset))]


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import load_config
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        cfg = load_config(args.config, args.cfg_options)
        samples = load_samples(cfg, args.split)
    except ConfigError as exc:
        raise SystemExit(f'error: {exc}')
    results = ceiling(samples, args.grids,
                      cam_metric_kwargs(cfg.get(f'{args.split}_evaluator', {})))
    print(f'{"grid":>6} {"cam/iou":>8} {"iou_best":>8} {"pxap":>6} '
          f'{"point_game":>10} {"energy_in":>9}  (oracle maps, '
          f'{results[args.grids[0]].get("num_images", 0)} defect images)')
    for g, m in results.items():
        if not m.get('num_images'):
            print(f'{g:>6}  no defect image with a mask in the {args.split} split')
            continue
        print(f'{g:>6} {m["iou"]:8.3f} {m["iou_best"]:8.3f} {m["pxap"]:6.3f} '
              f'{m["point_game"]:10.3f} {m["energy_inside"]:9.3f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump({str(g): m for g, m in results.items()}, f, indent=2)


if __name__ == '__main__':
    main()
