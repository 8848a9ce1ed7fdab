"""CPU-vs-GPU equality of ``tools/diagnose.py CONFIG trace`` for each workload.

    python benchmarks/trace_cpu_gpu.py [--workloads gain multitask retail]
        [--image-size 256] [--dry-run] [--out trace.json]

Runs :func:`mtl_plugin.diagnostics.trace` (the library of ``tools/diagnose.py
CONFIG trace``) on each workload's shipped config, randomly initialised
(no weight download), on a synthetic sample of ``--image-size`` pixels
(:class:`mtl_plugin.diagnostics.SyntheticTaskDataset`, what ``diagnose.py
--synthetic`` uses). With CUDA the trace copies the model to the GPU and
compares every backbone / neck / head output with the CPU ones: equal when
the largest difference, relative to the largest magnitude of that output,
is at most 1e-2 (cuDNN's default TF32 convolutions differ from float32 CPU
ones by about 1e-3). Without CUDA the comparison is reported as skipped;
the rest of the trace (NaN/Inf, constant outputs, input and batch
dependence) still runs.
"""
import argparse
import copy
import json
import logging
import os.path as osp
import re
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # gpu_workloads

#: The tolerance ``trace`` applies to CPU vs GPU outputs (relative).
TOLERANCE = 1e-2
_NUMBER = re.compile(r'(?:difference|differs by) ([0-9.eE+-]+)')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--workloads', nargs='+', default=None)
    p.add_argument('--image-size', type=int, default=None,
                   help='synthetic sample side in pixels (default 256; dry '
                   'run 64)')
    p.add_argument('--dry-run', action='store_true')
    p.add_argument('--out', help='write the rows as JSON here')
    return p.parse_args(argv)


def trace_row(workload, image_size: int) -> Dict:
    """Trace one workload; its CPU-vs-GPU verdict and the other errors."""
    from mmengine.config import Config

    from mtl_plugin.diagnostics import SyntheticTaskDataset, trace

    from repo_paths import REPO_ROOT
    cfg = Config.fromfile(osp.join(REPO_ROOT, workload.config))
    cfg.model = copy.deepcopy(cfg.model)
    cfg.model.backbone.init_cfg = None
    dataset = SyntheticTaskDataset(cfg, num_samples=4, image_size=image_size)
    report = trace(cfg, dataset=dataset, index=1)
    row = dict(workload=workload.name, config=workload.config,
               image_size=image_size, tolerance=TOLERANCE,
               other_errors=[str(f) for f in report.errors
                             if f.topic != 'cpu vs gpu'])
    gpu = [f for f in report.findings if f.topic == 'cpu vs gpu']
    if not gpu:
        row.update(status='error', message='trace made no CPU/GPU finding')
    elif 'skipped' in gpu[0].message:
        row.update(status='skipped', message=gpu[0].message)
    else:
        match = _NUMBER.search(gpu[0].message)
        row.update(status='equal' if gpu[0].severity != 'ERROR' else
                   'DIFFERENT', message=gpu[0].message,
                   max_rel_diff=float(match.group(1)) if match else None)
    return row


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    from gpu_workloads import WORKLOADS
    from mmengine.logging import MMLogger

    import mtl_plugin  # noqa: F401
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)
    size = args.image_size or (64 if args.dry_run else 256)
    rows = []
    for name in args.workloads or list(WORKLOADS):
        try:
            row = trace_row(WORKLOADS[name], size)
        except Exception as exc:  # noqa: BLE001  (report, go on)
            row = dict(workload=name, status='error',
                       message=f'{type(exc).__name__}: {exc}'[:300])
        rows.append(row)
        print(f'{name:9s} {row["status"]:9s} {row.get("message", "")}',
              flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(dry_run=args.dry_run, rows=rows), f, indent=2)
    return rows


if __name__ == '__main__':
    main()
