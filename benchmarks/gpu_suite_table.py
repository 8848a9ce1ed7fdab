"""One table from the result files of ``benchmarks/gpu_suite.sh``.

    python benchmarks/gpu_suite_table.py OUT_DIR

Reads ``install.json``, ``throughput.json`` (:mod:`workload_throughput`),
``assigner.json`` (``retail_assigner_benchmark.py --out``), ``trace.json``
(:mod:`trace_cpu_gpu`) and ``steps.tsv`` (exit code and seconds of each
step) from ``OUT_DIR``, prints a markdown table and writes it to
``OUT_DIR/table.md``. A missing file or a failed step shows as such: nothing
is filled in. Standard library only (runs before anything is installed).
"""
import json
import os.path as osp
import sys
from typing import Dict, List, Optional

HEADER = ('| step | subject | precision | result | vs reference | '
          'peak memory |\n|---|---|---|---|---|---|')


def _load(out_dir: str, name: str) -> Optional[object]:
    path = osp.join(out_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _steps(out_dir: str) -> Dict[str, Dict]:
    path = osp.join(out_dir, 'steps.tsv')
    steps = {}
    if osp.isfile(path):
        with open(path) as f:
            for line in f:
                name, rc, secs = line.rstrip('\n').split('\t')
                steps[name] = dict(rc=int(rc), seconds=int(secs))
    return steps


def _missing(step: str, steps: Dict[str, Dict]) -> str:
    info = steps.get(step)
    if info is None:
        return f'| {step} | - | - | not run | | |'
    why = 'timed out' if info['rc'] in (124, 137) else f'exit {info["rc"]}'
    return (f'| {step} | - | - | FAILED ({why} after {info["seconds"]} s; '
            f'see {step}.log) | | |')


def install_rows(data: Optional[Dict], steps) -> List[str]:
    if data is None:
        return [_missing('install', steps)]
    return [f'| install | {data.get("how", "?")} | - | {data.get("status")} | '
            f'{data.get("versions", "")} | |']


def _gb(row: Dict) -> str:
    return f'{row["peak_mem_gb"]:.1f} GB' if 'peak_mem_gb' in row else '-'


def throughput_rows(data: Optional[Dict], steps) -> List[str]:
    if data is None:
        return [_missing('throughput', steps)]
    by_key = {(r['workload'], r['dtype'], r['subject']): r
              for r in data['rows']}
    lines = []
    for (name, dtype, subject), row in by_key.items():
        if subject != 'model':
            continue
        alone = by_key.get((name, dtype, 'backbone'), {})
        where = (f'{name} {row["width"]}x{row["height"]} batch {row["batch"]}'
                 if 'width' in row else name)
        if 'skipped' in row:
            lines.append(f'| train | {name} | {dtype} | skipped: '
                         f'{row["skipped"]} | | |')
            continue
        if 'error' in row:
            lines.append(f'| train | {where} | {dtype} | FAILED: '
                         f'{row["error"]} | | |')
            continue
        ref = 'backbone alone: '
        if 'images_per_s' in alone:
            ratio = row['images_per_s'] / alone['images_per_s']
            ref += f'{alone["images_per_s"]:.1f} img/s, ratio {ratio:.2f}'
        else:
            ref += alone.get('error', alone.get('skipped', 'missing'))
        lines.append(
            f'| train | {where} ({row["device"]}) | {dtype} | '
            f'{row["images_per_s"]:.1f} img/s | {ref} | model {_gb(row)}, '
            f'backbone {_gb(alone)} |')
    return lines


def assigner_rows(data: Optional[List], steps) -> List[str]:
    if data is None:
        return [_missing('assigner', steps)]
    groups: Dict[tuple, Dict[str, Dict]] = {}
    for r in data:
        groups.setdefault((r['image'], r['num_gts'], r.get('device', 'cpu')),
                          {})[r['method']] = r
    lines = []
    for (image, gts, device), methods in groups.items():
        ours, ref = methods.get('ours', {}), methods.get('maxiou', {})

        def cell(r):
            return (f'{r["assign_s"]:.3f} s' if 'assign_s' in r else
                    r.get('error', 'missing'))

        def mem(r):
            return (f'{r["peak_extra_mb"]:.0f} MB' if 'peak_extra_mb' in r
                    else '-')
        ratio = (f', ratio {ours["assign_s"] / ref["assign_s"]:.2f}'
                 if 'assign_s' in ours and 'assign_s' in ref else '')
        lines.append(
            f'| assign | retail {image}, {gts} GT ({device}) | float32 | '
            f'ours {cell(ours)} | MaxIoUAssigner {cell(ref)}{ratio} | '
            f'ours {mem(ours)}, MaxIoUAssigner {mem(ref)} |')
    return lines


def trace_rows(data: Optional[Dict], steps) -> List[str]:
    if data is None:
        return [_missing('trace', steps)]
    lines = []
    for r in data['rows']:
        status = r['status']
        if 'max_rel_diff' in r and r['max_rel_diff'] is not None:
            status += f' (max relative difference {r["max_rel_diff"]:.2g})'
        elif status in ('skipped', 'error'):
            status += f': {r.get("message", "")}'
        other = (f'; other trace errors: {len(r["other_errors"])}'
                 if r.get('other_errors') else '')
        lines.append(f'| trace CPU vs GPU | {r["workload"]} '
                     f'({r.get("image_size", "?")} px) | float32 | {status}'
                     f'{other} | tolerance {r.get("tolerance", "?")} | |')
    return lines


def build_table(out_dir: str) -> str:
    steps = _steps(out_dir)
    lines = [HEADER]
    lines += install_rows(_load(out_dir, 'install.json'), steps)
    lines += throughput_rows(_load(out_dir, 'throughput.json'), steps)
    lines += assigner_rows(_load(out_dir, 'assigner.json'), steps)
    lines += trace_rows(_load(out_dir, 'trace.json'), steps)
    total = sum(s['seconds'] for s in steps.values())
    return '\n'.join(lines) + '\n\nsteps: ' + ', '.join(
        f'{k} {v["seconds"]} s (exit {v["rc"]})' for k, v in steps.items()) + \
        f'; total {total} s\n'


def main(argv=None) -> str:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not osp.isdir(argv[0]):
        raise SystemExit('usage: gpu_suite_table.py OUT_DIR (the folder '
                         'benchmarks/gpu_suite.sh wrote)')
    table = build_table(argv[0])
    with open(osp.join(argv[0], 'table.md'), 'w') as f:
        f.write(table)
    print(table)
    return table


if __name__ == '__main__':
    main()
