"""Anchor generation + assignment cost on a 1333x800 shelf image (CPU or GPU).

    python benchmarks/retail_assigner_benchmark.py [--num-gts 150 700]
        [--threads 1] [--mem-cap-gb 8] [--repeats 2] [--device cpu|cuda]
        [--methods ours maxiou] [--image 1333 800] [--out result.json]

For each GT count, runs in a fresh subprocess each (so that peak memory is
that run's alone):

* ``ours``: DenseAnchorGenerator (P2..P6, 20 anchors/location) +
  CenterSamplingIoUAssigner with its defaults (256 MiB chunk budget, spatial
  pruning of the GTs per chunk);
* ``ours_noprune``: the same with pruning off (chunks only);
* ``ours_unchunked``: the same assigner with the whole IoU matrix at once
  and no pruning (same result);
* ``maxiou``: mmdet's MaxIoUAssigner (0.3 / 0.2) on the same anchors.

Time: wall-clock of ``assign`` (best of ``--repeats``), plus anchor
generation (first call, then cached). Peak memory: the process's peak
resident set size (``ru_maxrss``) during ``assign`` minus its resident size
just before, i.e. the extra memory the assignment needed (CPU tensors are not
seen by tracemalloc). Each subprocess may add at most ``--mem-cap-gb`` of
address space during the assignment (``RLIMIT_AS``), so that an unchunked
run that would need more fails cleanly (reported as ``> cap``) instead of
exhausting a shared machine. When
MaxIoUAssigner does not fit at full size, the script also compares the
methods on a half-size image (666x400, a quarter of the anchors).

``--device cuda``: anchors, boxes and assignment on the GPU (times
synchronised); peak memory is ``torch.cuda.max_memory_allocated`` during
``assign`` minus the memory allocated before it, and no address-space cap
applies (a run that does not fit fails with CUDA's out-of-memory error).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

IMAGE = (1333, 800)
METHODS = ('ours', 'ours_noprune', 'ours_unchunked', 'maxiou')


def _rss_bytes() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _gt_boxes(num_gts: int, width: int, height: int):
    import numpy as np
    import torch

    from mtl_plugin.datasets.synthetic import generate_shelf_image
    rng = np.random.default_rng(num_gts)
    hi = int(num_gts * 1.1) + 5
    _, boxes = generate_shelf_image(rng, width, height, (num_gts, hi))
    return torch.from_numpy(boxes[:num_gts])


def _vm_bytes() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[0]) * os.sysconf('SC_PAGE_SIZE')


def worker(method: str, num_gts: int, width: int, height: int,
           threads: int, repeats: int, mem_cap_gb: float,
           device: str = 'cpu') -> dict:
    import mtl_plugin  # noqa: F401,I001  (compat fixes before mmdet imports)
    import torch
    from mmdet.models.task_modules.assigners import MaxIoUAssigner
    from mmengine.structures import InstanceData

    from mtl_plugin.models.task_modules import CenterSamplingIoUAssigner, DenseAnchorGenerator
    torch.set_num_threads(threads)
    gen = DenseAnchorGenerator()
    pad_w, pad_h = (-(-width // 64) * 64, -(-height // 64) * 64)
    sizes = [(-(-pad_h // s), -(-pad_w // s)) for s in (4, 8, 16, 32, 64)]
    cuda = device.startswith('cuda')

    def sync():
        if cuda:
            torch.cuda.synchronize()

    t0 = time.perf_counter()
    anchors = torch.cat(gen.grid_priors(sizes, device=device))
    sync()
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    gen.grid_priors(sizes, device=device)
    sync()
    t_gen_cached = time.perf_counter() - t0
    gts = _gt_boxes(num_gts, width, height).to(device)
    if method == 'maxiou':
        assigner = MaxIoUAssigner(pos_iou_thr=0.3, neg_iou_thr=0.2,
                                  min_pos_iou=0.0)
    else:
        # ours: the defaults (256 MiB chunks, spatial pruning); unchunked:
        # the whole anchors x GT matrix at once, no pruning.
        assigner = dict(
            ours=lambda: CenterSamplingIoUAssigner(),
            ours_noprune=lambda: CenterSamplingIoUAssigner(
                spatial_prune=False),
            ours_unchunked=lambda: CenterSamplingIoUAssigner(
                memory_budget_mb=None, spatial_prune=False))[method]()
    pred = InstanceData(priors=anchors)
    gt = InstanceData(bboxes=gts, labels=torch.zeros(
        num_gts, dtype=torch.long, device=device))
    if cuda:
        assigner.assign(pred, gt)  # kernels compiled / cached once
        sync()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
    else:
        # Cap the address space the assignment may add (imported libraries
        # already reserve gigabytes of it without using memory).
        cap = _vm_bytes() + int(mem_cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        before = _rss_bytes()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = assigner.assign(pred, gt)
        sync()
        times.append(time.perf_counter() - t0)
    peak = (torch.cuda.max_memory_allocated() if cuda else
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return dict(method=method, num_gts=num_gts, image=f'{width}x{height}',
                device=device,
                num_anchors=len(anchors), anchor_gen_s=t_gen,
                anchor_gen_cached_s=t_gen_cached, assign_s=min(times),
                peak_extra_mb=(peak - before) / 2**20,
                num_pos=int((res.gt_inds > 0).sum()),
                full_iou_matrix_mb=len(anchors) * num_gts * 4 / 2**20)


def run_one(method, num_gts, width, height, args) -> dict:
    cmd = [sys.executable, __file__, '--worker', method, str(num_gts),
           str(width), str(height), '--threads', str(args.threads),
           '--repeats', str(args.repeats), '--mem-cap-gb',
           str(args.mem_cap_gb), '--device', args.device]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ['?'])[-1]
        where = (f'under {args.mem_cap_gb} GB cap' if args.device == 'cpu'
                 else f'on {args.device}')
        return dict(method=method, num_gts=num_gts, image=f'{width}x{height}',
                    device=args.device, error=f'failed {where}: {tail}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(r: dict) -> str:
    if 'error' in r:
        return (f'| {r["image"]} | {r["num_gts"]} | {r["method"]} | '
                f'- | > cap | {r["error"][:60]} |')
    return (f'| {r["image"]} | {r["num_gts"]} | {r["method"]} | '
            f'{r["assign_s"]:.2f} | {r["peak_extra_mb"]:.0f} | '
            f'{r["num_anchors"]} anchors, {r["num_pos"]} pos, gen '
            f'{r["anchor_gen_s"] * 1e3:.0f} ms / cached '
            f'{r["anchor_gen_cached_s"] * 1e3:.2f} ms |')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-gts', type=int, nargs='+', default=[150, 700])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--mem-cap-gb', type=float, default=8)
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--methods', nargs='+', default=list(METHODS),
                        choices=METHODS)
    parser.add_argument('--image', type=int, nargs=2, default=list(IMAGE),
                        metavar=('W', 'H'))
    parser.add_argument('--out', help='write the rows as JSON here')
    parser.add_argument('--worker', nargs=4, metavar=('METHOD', 'GTS', 'W',
                                                      'H'))
    args = parser.parse_args()
    if args.worker:
        method, gts, w, h = args.worker
        print(json.dumps(worker(method, int(gts), int(w), int(h),
                                args.threads, args.repeats,
                                args.mem_cap_gb, args.device)))
        return
    if args.device == 'cpu':
        print(f'CPU, {args.threads} thread(s), cap {args.mem_cap_gb} GB; time '
              '= assign() wall-clock (best of repeats); peak = extra RSS (MB)')
    else:
        print(f'{args.device}; time = assign() wall-clock, synchronised (best '
              'of repeats); peak = extra CUDA memory allocated (MB)')
    print('| image | GT | method | assign s | peak MB | notes |')
    print('|---|---|---|---|---|---|')
    results = []
    image = tuple(args.image)
    for num_gts in args.num_gts:
        row = [run_one(m, num_gts, *image, args) for m in args.methods]
        results += row
        for r in row:
            print(fmt(r), flush=True)
        if 'error' in row[-1]:
            half = (image[0] // 2, image[1] // 2)
            for m in args.methods:
                r = run_one(m, num_gts, *half, args)
                results.append(r)
                print(fmt(r), flush=True)
    print(json.dumps(results))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
