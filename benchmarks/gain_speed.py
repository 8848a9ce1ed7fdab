"""GAIN-MTL speed ratios measured in one run, on the same batch and input size.

Prints:

* the S6 / S1 training-step time ratio (target <= 2.0). A training step is
  ``model.train_step`` (data preprocessor, forward, backward, optimizer step).
  S6 runs with every term at its configured (post-warm-up) weight and GT-fusion
  alpha 0.5, i.e. its most expensive step; the warm-up phase is cheaper.
* the predict-with-CAM / plain-predict time ratio of S1 (target <= 1.1):
  ``predict`` with ``test_cfg.with_maps=True`` (logits and the weight-based CAM
  from one pass, upsampled to input size) vs ``with_maps=False`` (pool, linear,
  softmax). The S6 all-maps ratio (CAM + attention + localization FPN) is
  printed for information.

The two configurations alternate step by step so that machine-load drift hits
both; the medians over ``--iters`` timed steps (after ``--warmup``) are used.
Models are built without pretrained weights (no download).

Example (CPU, the numbers in configs/gain/README.md)::

    python benchmarks/gain_speed.py --img-size 128 --batch-size 8 --tiny
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

# MobileNetV3-Small levels 1, 3, 8, 12 (strides 4, 8, 16, 32).
TINY_BACKBONE = dict(type='mmpretrain.MobileNetV3', arch='small',
                     out_indices=(1, 3, 8, 12))
TINY_CHANNELS = [16, 24, 48, 576]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--s1', default='configs/gain/s1.py')
    parser.add_argument('--s6', default='configs/gain/s6.py')
    parser.add_argument('--img-size', type=int, default=256)
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
        cfg.model.cls_head.in_channels = TINY_CHANNELS[-1]
        if cfg.model.get('attention_head'):
            cfg.model.attention_head.in_channels = TINY_CHANNELS[-1]
        if cfg.model.get('loc_head'):
            cfg.model.loc_head.neck.in_channels = TINY_CHANNELS
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


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    s1 = build_speed_model(args.s1, args.tiny, args.device)
    s6 = build_speed_model(args.s6, args.tiny, args.device)
    data = make_batch(args.batch_size, args.img_size)

    wrappers = [OptimWrapper(torch.optim.AdamW(m.parameters(), lr=1e-4))
                for m in (s1, s6)]
    s1.train()
    s6.train()
    train_s1, train_s6 = alternate(
        [lambda: s1.train_step(data, wrappers[0]),
         lambda: s6.train_step(data, wrappers[1])], args.iters, args.warmup,
        args.device)

    s1.eval()
    s6.eval()

    def predict(model, with_maps):
        def run():
            model.test_cfg['with_maps'] = with_maps
            with torch.no_grad():
                model.test_step(copy.copy(data))
        return run

    plain, cam, plain6, maps6 = alternate(
        [predict(s1, False), predict(s1, True), predict(s6, False),
         predict(s6, True)], args.iters, args.warmup, args.device)

    backbone = 'MobileNetV3-Small (--tiny)' if args.tiny else 'as configured'
    print(f'device={args.device} threads={torch.get_num_threads()} '
          f'backbone={backbone} batch={args.batch_size} '
          f'input={args.img_size}x{args.img_size} iters={args.iters} '
          f'(median, after {args.warmup} warm-up)')
    print(f'train step  S1 {train_s1 * 1e3:8.1f} ms   S6 '
          f'{train_s6 * 1e3:8.1f} ms   S6/S1 = {train_s6 / train_s1:.3f} '
          '(target <= 2.0)')
    print(f'predict S1  plain {plain * 1e3:8.1f} ms   with CAM '
          f'{cam * 1e3:8.1f} ms   CAM/plain = {cam / plain:.3f} '
          '(target <= 1.1)')
    print(f'predict S6  plain {plain6 * 1e3:8.1f} ms   all maps '
          f'{maps6 * 1e3:8.1f} ms   maps/plain = {maps6 / plain6:.3f} '
          '(CAM + attention + localization; information)')


if __name__ == '__main__':
    main()
