"""GAIN-MTL speed ratios measured in one run, on the same batch, at each input
size of ``--img-sizes``.

Prints, per size:

* the strategy / S1 training-step time ratio (target <= 1.6). A training step
  is ``model.train_step`` (data preprocessor, forward, backward, optimizer
  step). The strategy runs with every term at its configured (post-warm-up)
  weight and GT-fusion alpha 0.5, i.e. its most expensive step; the warm-up
  phase is cheaper.
* the strategy's predict-with-all-maps / plain-predict ratio (target <= 1.25):
  ``predict`` with ``test_cfg.with_maps=True`` (CAM, attention and
  localization maps at input size) vs ``with_maps=False`` (scores only).
* S1's predict-with-CAM / plain ratio, for information.

The configurations alternate step by step so that machine-load drift hits
all of them; the medians over ``--iters`` timed steps (after ``--warmup``)
are used. Models are built without pretrained weights (no download).

Example (CPU, EfficientNetV2-S as configured; the numbers in
docs/results/gain.md)::

    python benchmarks/gain_speed.py --img-sizes 128 256 --batch-size 8 \
        --iters 7 --warmup 2 --threads 1
"""
import argparse
import copy
import statistics
import time
from typing import Callable, List

import torch
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.structures import MultiTaskDataSample

# MobileNetV3-Small levels 1, 3, 8, 12 (strides 4, 8, 16, 32); GAINMTL fills
# the heads' channels in from it.
TINY_BACKBONE = dict(type='mmpretrain.MobileNetV3', arch='small',
                     out_indices=(1, 3, 8, 12))
# the strategy configs/gain/demo.py trains (the default one)
DEFAULT_STRATEGY = 'configs/gain/s9.py'
TRAIN_TARGET = 1.6
MAPS_TARGET = 1.25


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--s1', default='configs/gain/s1.py')
    parser.add_argument('--strategy', default=DEFAULT_STRATEGY,
                        help='the guided strategy config compared with S1')
    parser.add_argument('--img-sizes', type=int, nargs='+', default=[128, 256])
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave the default)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available()
                        else 'cpu')
    parser.add_argument('--tiny', action='store_true',
                        help='swap in MobileNetV3-Small (CPU-sized)')
    return parser.parse_args()


def build_speed_model(path: str, tiny: bool, device: str) -> torch.nn.Module:
    """The config's model without pretrained weights (MobileNetV3-Small with
    ``tiny``), in train mode, S6's GT fusion at alpha 0.5."""
    cfg = load_config(path)
    cfg.model.backbone.pop('init_cfg', None)
    if tiny:
        cfg.model.backbone = dict(TINY_BACKBONE)
    model = build_model(cfg, device=device).train()
    if getattr(model, 'gt_fusion', False):
        model.gt_fusion_alpha = 0.5
    return model


def make_batch(batch_size: int, size: int) -> dict:
    """Half defect images (a square defect), half normal, uint8 inputs."""
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for i in range(batch_size):
        inputs.append(torch.randint(0, 256, (3, size, size), generator=gen,
                                    dtype=torch.uint8))
        label = i % 2
        mask = torch.zeros(1, size, size, dtype=torch.long)
        if label:
            mask[0, size // 4:size // 2, size // 3:size // 2] = 1
        sample = MultiTaskDataSample(metainfo=dict(img_shape=(size, size)))
        sample.gt_label = torch.tensor([label])
        sample.gt_sem_seg = PixelData(data=mask)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def timed(fn: Callable, device: str) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def alternate(fns: List[Callable], iters: int, warmup: int,
              device: str) -> List[float]:
    """Median seconds of each function, run alternately."""
    times = [[] for _ in fns]
    for step in range(warmup + iters):
        for fn, bucket in zip(fns, times):
            t = timed(fn, device)
            if step >= warmup:
                bucket.append(t)
    return [statistics.median(t) for t in times]


def measure(s1, guided, size: int, args) -> dict:
    """Median times (s) of one input size: train steps of both models,
    predict with and without maps of both."""
    data = make_batch(args.batch_size, size)
    wrappers = [OptimWrapper(torch.optim.AdamW(m.parameters(), lr=1e-4))
                for m in (s1, guided)]
    s1.train()
    guided.train()
    train_s1, train_guided = alternate(
        [lambda: s1.train_step(data, wrappers[0]),
         lambda: guided.train_step(data, wrappers[1])], args.iters, args.warmup,
        args.device)
    s1.eval()
    guided.eval()

    def predict(model, with_maps):
        def run():
            model.test_cfg['with_maps'] = with_maps
            with torch.no_grad():
                model.test_step(copy.copy(data))
        return run

    plain1, cam1, plain, maps = alternate(
        [predict(s1, False), predict(s1, True), predict(guided, False),
         predict(guided, True)], args.iters, args.warmup, args.device)
    return dict(train_s1=train_s1, train=train_guided, plain1=plain1, cam1=cam1,
                plain=plain, maps=maps)


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    s1 = build_speed_model(args.s1, args.tiny, args.device)
    guided = build_speed_model(args.strategy, args.tiny, args.device)
    backbone = 'MobileNetV3-Small (--tiny)' if args.tiny else 'as configured'
    print(f'device={args.device} threads={torch.get_num_threads()} '
          f'backbone={backbone} batch={args.batch_size} iters={args.iters} '
          f'(median, after {args.warmup} warm-up); strategy={args.strategy}')
    for size in args.img_sizes:
        t = measure(s1, guided, size, args)
        print(f'[{size}x{size}] train step  S1 {t["train_s1"] * 1e3:8.1f} ms   '
              f'strategy {t["train"] * 1e3:8.1f} ms   strategy/S1 = '
              f'{t["train"] / t["train_s1"]:.3f} (target <= {TRAIN_TARGET})')
        print(f'[{size}x{size}] predict strategy  plain {t["plain"] * 1e3:8.1f} ms   '
              f'all maps {t["maps"] * 1e3:8.1f} ms   maps/plain = '
              f'{t["maps"] / t["plain"]:.3f} (target <= {MAPS_TARGET})')
        print(f'[{size}x{size}] predict S1  plain {t["plain1"] * 1e3:8.1f} ms   '
              f'with CAM {t["cam1"] * 1e3:8.1f} ms   CAM/plain = '
              f'{t["cam1"] / t["plain1"]:.3f} (information)')


if __name__ == '__main__':
    main()
