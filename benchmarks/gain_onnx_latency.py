"""CPU latency of the exported GAIN-MTL classifier (onnxruntime) beside PyTorch.

Both run the same computation (:class:`mtl_plugin.deployment.GAINExportModule`:
preprocessing, backbone, CAM classifier, attention and localization maps
upsampled to the input) on the same batch, with the same number of threads;
the two alternate call by call so that machine-load drift hits both, and the
medians over ``--iters`` timed calls (after ``--warmup``) are compared.
Without ``--checkpoint`` the model keeps its initial weights, with no
pretrained download (latency does not depend on them). Prints both medians
and the ratio ONNX / PyTorch, and the largest absolute output difference.

    python benchmarks/gain_onnx_latency.py configs/gain/demo.py --batch-size 8 --threads 1
"""
import argparse
import os.path as osp
import statistics
import tempfile
import time

import numpy as np
import torch

from mtl_plugin.apis import build_model, load_config
from mtl_plugin.deployment import GAINExportModule, export_onnx, onnx_session, run_onnx


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint')
    parser.add_argument('--img-size', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default: the test Resize)')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = load_config(args.config)
    if args.img_size:
        h, w = args.img_size
    else:
        resize = [s for s in cfg.test_dataloader.dataset.pipeline
                  if s['type'].split('.')[-1] == 'Resize'][0]
        w, h = resize['scale']
    if not args.checkpoint:
        cfg.model.backbone.init_cfg = None  # latency does not need the weights
    module = GAINExportModule(build_model(cfg, args.checkpoint))
    img = torch.rand(args.batch_size, 3, h, w,
                     generator=torch.Generator().manual_seed(0)) * 255
    names = module.output_names(img[:1])
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(module, img[:1], osp.join(tmp, 'gain.onnx'), names)
        session = onnx_session(path, threads=args.threads)
        times = dict(torch=[], onnx=[])
        with torch.no_grad():
            for i in range(args.warmup + args.iters):
                start = time.perf_counter()
                ref = module(img)
                t_torch = time.perf_counter() - start
                start = time.perf_counter()
                got = run_onnx(session, img.numpy())
                t_onnx = time.perf_counter() - start
                if i >= args.warmup:
                    times['torch'].append(t_torch)
                    times['onnx'].append(t_onnx)
    diff = max(float(np.abs(r.numpy().astype(np.float64) - g).max())
               for r, g in zip(ref, got))
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(f'{args.config} batch {args.batch_size} x {h}x{w}, {args.threads} thread(s), '
          f'median of {args.iters}: outputs {names}')
    print(f'PyTorch {med["torch"]:.1f} ms   onnxruntime {med["onnx"]:.1f} ms   '
          f'ONNX/PyTorch = {med["onnx"] / med["torch"]:.3f}   '
          f'max |diff| {diff:.2e}')


if __name__ == '__main__':
    main()
