"""Training images/s of each workload vs its backbone alone, per precision.

    python benchmarks/workload_throughput.py [--workloads gain multitask retail]
        [--dtypes float32 float16 bfloat16] [--iters 10] [--warmup 3]
        [--dry-run] [--out throughput.json]

For every workload of :mod:`gpu_workloads` and every dtype, two subjects
train on the same synthetic batch at the same input size and batch:

* ``model``: the shipped config's model, ``model.train_step`` (data
  preprocessor, forward, every loss, backward, the config's optimizer wrapper
  with its clipping);
* ``backbone``: the same backbone alone (``loss = sum of the mean of every
  output level``) with the same optimizer: the ceiling any pipeline on that
  backbone can reach, so ``model / backbone`` is the pipeline's overhead.

Precision: ``float32``, or mmengine's ``AmpOptimWrapper`` with
``dtype=float16`` (dynamic loss scale) / ``bfloat16`` on CUDA, which is what
``tools/train.py --amp`` / ``--amp-dtype bfloat16`` give. On a CPU (the dry
run) the bfloat16 steps run inside ``torch.autocast('cpu', dtype)``: they
check the code path, their speed means nothing; float16 is skipped there (no
fast CPU kernels). Time per step = median of
``--iters`` timed steps after ``--warmup`` (CUDA synchronised); images/s =
batch / median. Peak memory = ``torch.cuda.max_memory_allocated`` during the
timed steps (CUDA only). cuDNN autotuning is on (fixed input sizes). Data
loading is not included. A failing subject is recorded with its error and
the others still run.
"""
import argparse
import json
import logging
import os.path as osp
import statistics
import sys
import time
import traceback
from contextlib import nullcontext
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # gpu_workloads

DTYPES = ('float32', 'float16', 'bfloat16')
CPU_FP16_SKIP = ('CPU: float16 convolutions have no fast CPU kernels (minutes '
                 'per step); the CPU float16 train step of each workload is '
                 'tested in tests/test_configs/test_mixed_precision_train_step.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--workloads', nargs='+', default=None,
                   help='subset of gain, multitask, retail (default: all)')
    p.add_argument('--dtypes', nargs='+', default=list(DTYPES),
                   choices=DTYPES)
    p.add_argument('--iters', type=int, default=None,
                   help='timed steps (default 10; dry run 1)')
    p.add_argument('--warmup', type=int, default=None,
                   help='untimed steps (default 3; dry run 0)')
    p.add_argument('--dry-run', action='store_true',
                   help='tiny sizes on the CPU: exercises every step')
    p.add_argument('--device', default=None,
                   help='cuda or cpu (default: cuda when available; cpu '
                   'with --dry-run)')
    p.add_argument('--out', help='write the rows as JSON here')
    return p.parse_args(argv)


class BackboneAlone:
    """A backbone trained on its own: ``loss`` = sum of the output means."""

    def __init__(self, backbone_cfg: Dict) -> None:
        import torch

        from mtl_plugin.registry import MODELS
        self.net = MODELS.build(backbone_cfg)
        self.mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
        self.std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)

    def to(self, device: str) -> 'BackboneAlone':
        self.net.to(device)
        self.mean, self.std = self.mean.to(device), self.std.to(device)
        return self

    def train_step(self, data: Dict, optim_wrapper) -> None:
        import torch
        inputs = torch.stack(data['inputs']).to(self.mean.device).float()
        with optim_wrapper.optim_context(self.net):
            outs = self.net((inputs - self.mean) / self.std)
            loss = sum(o.float().mean() for o in outs)
        optim_wrapper.update_params(loss)


def _optim_wrapper(module, optim_cfg: Dict, dtype: str, device: str):
    """The config's wrapper; AMP (CUDA) as ``tools/train.py`` sets it."""
    from mmengine.optim import build_optim_wrapper
    cfg = dict(optim_cfg)
    if dtype != 'float32' and device.startswith('cuda'):
        cfg['type'] = 'AmpOptimWrapper'
        cfg['dtype'] = dtype
        if dtype == 'float16':
            cfg.setdefault('loss_scale', 'dynamic')
    return build_optim_wrapper(module, cfg)


def _time_steps(step, iters: int, warmup: int, device: str) -> List[float]:
    import torch
    cuda = device.startswith('cuda')
    for _ in range(warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return times


def measure(workload, subject: str, dtype: str, setting, device: str,
            iters: int, warmup: int) -> Dict:
    """One row: ``subject`` ('model' | 'backbone') of ``workload`` in
    ``dtype``."""
    import torch
    from mmengine.registry import DefaultScope

    from mtl_plugin.registry import MODELS
    row = dict(workload=workload.name, subject=subject, dtype=dtype,
               device=device, width=setting.width, height=setting.height,
               batch=setting.batch, config=workload.config)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mtl_plugin'):
        model_cfg = workload.model_cfg()
        if subject == 'model':
            net = MODELS.build(model_cfg)
            net.init_weights()
            net.to(device).train()
            module = net
        else:
            net = BackboneAlone(model_cfg.backbone).to(device)
            net.net.train()
            module = net.net
        optim = _optim_wrapper(module, workload.optim_cfg(), dtype, device)
    data = workload.make_batch(setting, 0)
    if subject == 'backbone':
        data = dict(inputs=[x.to(device) for x in data['inputs']])
    cpu_autocast = (torch.autocast('cpu', dtype=getattr(torch, dtype))
                    if dtype != 'float32' and device == 'cpu' else None)

    def step():
        with cpu_autocast or nullcontext():
            net.train_step(data, optim)

    times = _time_steps(step, iters, warmup, device)
    med = statistics.median(times)
    row.update(step_s=times, median_step_s=med,
               images_per_s=setting.batch / med,
               autocast=('AmpOptimWrapper' if device.startswith('cuda') and
                         dtype != 'float32' else
                         'torch.autocast(cpu)' if cpu_autocast else 'none'))
    if device.startswith('cuda'):
        row['peak_mem_gb'] = torch.cuda.max_memory_allocated() / 2**30
    net = optim = data = None  # free the model before emptying the CUDA cache
    if device.startswith('cuda'):
        torch.cuda.empty_cache()
    return row


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    import torch
    from gpu_workloads import WORKLOADS
    from mmengine.logging import MMLogger

    import mtl_plugin  # noqa: F401  (compat fixes, registers our modules)
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)
    device = args.device or ('cpu' if args.dry_run or not
                             torch.cuda.is_available() else 'cuda')
    if device.startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    iters = args.iters or (1 if args.dry_run else 10)
    warmup = args.warmup if args.warmup is not None else (
        0 if args.dry_run else 3)
    names = args.workloads or list(WORKLOADS)
    unknown = set(names) - set(WORKLOADS)
    if unknown:
        raise SystemExit(f'--workloads: unknown {sorted(unknown)}; expected '
                         f'some of {sorted(WORKLOADS)}')
    rows = []
    for name in names:
        workload = WORKLOADS[name]
        setting = workload.dry if args.dry_run else workload.gpu
        for dtype in args.dtypes:
            if (dtype == 'bfloat16' and device.startswith('cuda')
                    and not torch.cuda.is_bf16_supported()):
                rows += [dict(workload=name, subject=s, dtype=dtype,
                              skipped='GPU without bfloat16') for s in
                         ('model', 'backbone')]
                continue
            if dtype == 'float16' and device == 'cpu':
                rows += [dict(workload=name, subject=s, dtype=dtype,
                              device=device, skipped=CPU_FP16_SKIP)
                         for s in ('model', 'backbone')]
                continue
            for subject in ('model', 'backbone'):
                try:
                    row = measure(workload, subject, dtype, setting, device,
                                  iters, warmup)
                except Exception as exc:  # noqa: BLE001  (report, go on)
                    traceback.print_exc()
                    row = dict(workload=name, subject=subject, dtype=dtype,
                               device=device,
                               error=f'{type(exc).__name__}: {exc}'[:300])
                    if device.startswith('cuda'):
                        torch.cuda.empty_cache()
                rows.append(row)
                shown = (f'{row["images_per_s"]:.2f} img/s' if
                         'images_per_s' in row else row.get('error'))
                print(f'{name:9s} {subject:8s} {dtype:8s} {shown}',
                      flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(dry_run=args.dry_run, device=device,
                           gpu=(torch.cuda.get_device_name()
                                if device.startswith('cuda') else None),
                           torch=torch.__version__, rows=rows), f, indent=2)
    return rows


if __name__ == '__main__':
    main()
