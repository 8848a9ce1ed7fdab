"""Training images/s: our dense retail detector vs mmdet's RetinaNet R50-FPN.

    python benchmarks/retail_train_throughput.py [--device cuda|cpu]
        [--size 1333 800] [--batch 2] [--iters 10] [--warmup 3]
        [--num-gts 150] [--depth 50] [--threads N] [--out result.json]

Both models train on the same synthetic shelf batch (``--num-gts`` packed
products per image, one class) at the same input size:

* ``dense``: the model of ``configs/retail/retinanet-dense_r50_fpn_1x_sku110k.py``
  (FPN P2..P6, 20 anchors per location, CenterSamplingIoUAssigner,
  LightFineLevelRetinaHead);
* ``mmdet``: mmdet's ``retinanet/retinanet_r50_fpn_1x_coco.py`` with
  ``num_classes=1`` (P3..P7, 9 anchors per location, MaxIoUAssigner).

Backbones are randomly initialised (``init_cfg=None``: no download); ``--depth``
swaps ResNet-50 for another ResNet depth in both (the test uses 18). A step is
``model.train_step`` (data preprocessor, forward, loss, backward, SGD step);
after ``--warmup`` steps the two models alternate step by step so that load
drift hits both, and images/s = batch / median step time. Prints a table and
the dense / mmdet throughput ratio; ``--out`` writes the numbers as JSON.
"""
import argparse
import json
import logging
import statistics
import time
from typing import Dict, List, Tuple

REPO_CONFIG = 'configs/retail/retinanet-dense_r50_fpn_1x_sku110k.py'
MMDET_CONFIG = 'retinanet/retinanet_r50_fpn_1x_coco.py'
RESNET_OUT = {18: [64, 128, 256, 512], 34: [64, 128, 256, 512],
              50: [256, 512, 1024, 2048], 101: [256, 512, 1024, 2048]}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default=None,
                   help='cuda or cpu (default: cuda when available)')
    p.add_argument('--size', type=int, nargs=2, default=[1333, 800],
                   metavar=('W', 'H'), help='input width and height')
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--iters', type=int, default=10, help='timed steps per model')
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--num-gts', type=int, default=150)
    p.add_argument('--depth', type=int, default=50, choices=sorted(RESNET_OUT))
    p.add_argument('--threads', type=int, default=None,
                   help='torch CPU threads (default: torch default)')
    p.add_argument('--out', help='write the results as JSON here')
    return p.parse_args(argv)


def _model_cfgs(depth: int):
    """(dense, mmdet) model configs, random init, ResNet ``depth``."""
    import os.path as osp

    import mmdet
    from mmengine.config import Config

    from repo_paths import REPO_ROOT
    dense = Config.fromfile(osp.join(REPO_ROOT, REPO_CONFIG)).model
    stock = Config.fromfile(osp.join(osp.dirname(mmdet.__file__), '.mim',
                                     'configs', MMDET_CONFIG)).model
    stock.bbox_head.num_classes = 1
    for cfg in (dense, stock):
        cfg.backbone.depth = depth
        cfg.backbone.init_cfg = None
        cfg.neck.in_channels = RESNET_OUT[depth]
    return dense, stock


def build_models(depth: int, device: str):
    """Build both detectors in their registries' scopes."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmengine.registry import DefaultScope

    from mtl_plugin.registry import MODELS
    dense_cfg, stock_cfg = _model_cfgs(depth)
    with DefaultScope.overwrite_default_scope('mtl_plugin'):
        dense = MODELS.build(dense_cfg)
    with DefaultScope.overwrite_default_scope('mmdet'):
        stock = MMDET_MODELS.build(stock_cfg)
    models = dict(dense=dense, mmdet=stock)
    for m in models.values():
        m.init_weights()
        m.to(device).train()
    return models


def make_batch(batch: int, size: Tuple[int, int], num_gts: int,
               seed: int = 0) -> dict:
    """Synthetic shelf images ``(3, H, W)`` uint8 with their boxes, packed as
    mmdet's ``PackDetInputs`` would (one class, label 0)."""
    import numpy as np
    import torch
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from mtl_plugin.datasets.synthetic import generate_shelf_image
    w, h = size
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for _ in range(batch):
        img, boxes = generate_shelf_image(rng, w, h,
                                          (num_gts, int(num_gts * 1.1) + 1))
        inputs.append(torch.from_numpy(np.ascontiguousarray(
            img.transpose(2, 0, 1))))
        sample = DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(
            bboxes=torch.from_numpy(boxes).float(),
            labels=torch.zeros(len(boxes), dtype=torch.long))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def measure(models: Dict, data: dict, iters: int, warmup: int,
            device: str) -> Dict[str, List[float]]:
    """Step times (s) per model: ``warmup`` untimed steps each, then ``iters``
    timed steps alternating between the models."""
    import torch
    from mmengine.optim import OptimWrapper
    wrappers = {k: OptimWrapper(torch.optim.SGD(m.parameters(), lr=1e-3,
                                                momentum=0.9))
                for k, m in models.items()}

    def step(name):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        models[name].train_step(data, wrappers[name])
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    for name in models:
        for _ in range(warmup):
            step(name)
    times = {name: [] for name in models}
    for _ in range(iters):
        for name in models:
            times[name].append(step(name))
    return times


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.logging import MMLogger

    import mtl_plugin  # noqa: F401  (compat fixes, registers our modules)
    # Keep the table readable: no per-parameter init report.
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.iters < 1:
        raise SystemExit('--iters must be >= 1')
    torch.manual_seed(0)
    models = build_models(args.depth, device)
    data = make_batch(args.batch, tuple(args.size), args.num_gts)
    times = measure(models, data, args.iters, args.warmup, device)
    result = dict(device=device,
                  gpu=(torch.cuda.get_device_name() if device.startswith('cuda')
                       else None),
                  threads=torch.get_num_threads(), size=args.size,
                  batch=args.batch, iters=args.iters, warmup=args.warmup,
                  num_gts=args.num_gts, depth=args.depth, models={})
    print(f'device={device} threads={result["threads"]} input='
          f'{args.size[0]}x{args.size[1]} batch={args.batch} '
          f'ResNet-{args.depth} gts/img={args.num_gts} '
          f'(median of {args.iters} steps after {args.warmup} warm-up)')
    print('| model | step ms (median) | images/s |')
    print('|---|---|---|')
    for name, ts in times.items():
        med = statistics.median(ts)
        ips = args.batch / med
        result['models'][name] = dict(step_s=ts, median_step_s=med,
                                      images_per_s=ips)
        print(f'| {name} | {med * 1e3:.1f} | {ips:.2f} |')
    ratio = (result['models']['dense']['images_per_s'] /
             result['models']['mmdet']['images_per_s'])
    result['dense_over_mmdet'] = ratio
    print(f'dense / mmdet RetinaNet throughput = {ratio:.3f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
