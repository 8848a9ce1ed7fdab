"""Compare the test metrics of several work dirs (e.g. GAIN-MTL S1..S6).

    python tools/analysis/compare_strategies.py \
        S1=work_dirs/s1 S2=work_dirs/s2 ... --out-dir work_dirs/compare

Each argument is ``NAME=WORK_DIR`` or ``WORK_DIR`` (name: its folder name).
Metrics are read from ``<work_dir>/metrics.json`` (flat ``{name: value}``,
written by tools/test.py) or, failing that, from the newest
``<work_dir>/<timestamp>/<timestamp>.json`` that mmengine's logger writes
(JSON lines; the last line holding metrics wins). Writes
``<out-dir>/strategies.md`` (markdown table, strategies x metrics, best value
of each metric in bold, then a link to each run's
``<work_dir>/defect_report/defect_report.html`` where
tools/analysis/defect_report.py wrote one) and ``<out-dir>/strategies.png`` (grouped bars:
metrics on the x axis, one bar per strategy), and prints the table.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

DEFAULT_METRICS = ('cls/accuracy', 'cls/recall', 'cls/f1', 'cls/auroc',
                   'cam/iou', 'cam/pxap', 'cam/point_game', 'cam/energy_inside',
                   'cam/loc_iou')


def _metrics_from_json_lines(path: str) -> Optional[Dict[str, float]]:
    with open(path) as f:
        text = f.read()
    try:  # one JSON object (mmengine's test dump)
        record = json.loads(text)
        return record if isinstance(record, dict) and any('/' in k for k in record) \
            else None
    except json.JSONDecodeError:
        pass
    found = None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f'{path}: neither JSON nor JSON lines ({exc})') from exc
        if isinstance(record, dict) and any('/' in k for k in record):
            found = record
    return found


def load_work_dir_metrics(work_dir: str) -> Dict[str, float]:
    """Flat metrics dict of one work dir (see module docstring)."""
    flat = osp.join(work_dir, 'metrics.json')
    if osp.isfile(flat):
        with open(flat) as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as exc:
                raise ValueError(f'{flat}: invalid JSON ({exc})') from exc
        if not isinstance(data, dict):
            raise ValueError(f'{flat}: expected a JSON object {{metric: value}}')
        return data
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
    logs = [p for p in logs
            if osp.basename(p) == osp.basename(osp.dirname(p)) + '.json']
    for path in reversed(logs):
        found = _metrics_from_json_lines(path)
        if found is not None:
            return found
    raise FileNotFoundError(
        f'{work_dir}: no metrics.json and no <timestamp>/<timestamp>.json with '
        'test metrics (run tools/test.py on it first)')


def parse_runs(specs: Sequence[str]) -> List[Tuple[str, str]]:
    runs = []
    for spec in specs:
        name, sep, path = spec.partition('=')
        if not sep:
            name, path = osp.basename(osp.normpath(spec)), spec
        runs.append((name, path))
    return runs


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def markdown_table(results: Dict[str, Dict[str, float]], metrics: Sequence[str]) -> str:
    """Rows = strategies, columns = metrics; '-' where a run lacks a metric,
    the best (largest) value of each column in bold."""
    best = {}
    for m in metrics:
        values = [r[m] for r in results.values()
                  if _is_number(r.get(m)) and not math.isnan(r[m])]
        best[m] = max(values) if values else None
    lines = ['| strategy | ' + ' | '.join(metrics) + ' |',
             '|---|' + '---:|' * len(metrics)]
    for name, r in results.items():
        cells = []
        for m in metrics:
            v = r.get(m)
            if not _is_number(v):
                cells.append('-')
                continue
            text = f'{v:.3f}'
            cells.append(f'**{text}**' if v == best[m] and len(results) > 1 else text)
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def report_links(runs: Sequence[Tuple[str, str]], out_dir: str) -> str:
    """Markdown links to each run's ``<work_dir>/defect_report/defect_report.html``
    (tools/analysis/defect_report.py), relative to ``out_dir``; '' if none."""
    lines = []
    for name, work_dir in runs:
        page = osp.join(work_dir, 'defect_report', 'defect_report.html')
        if osp.isfile(page):
            lines.append(f'- {name}: [defect report]({osp.relpath(page, out_dir)})')
    return '\nReports:\n\n' + '\n'.join(lines) + '\n' if lines else ''


def bar_chart(results: Dict[str, Dict[str, float]], metrics: Sequence[str],
              path: str) -> None:
    """Grouped bar chart: metrics on x, one bar per strategy (missing = no bar)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(results)
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(metrics) + 2), 4))
    for k, name in enumerate(names):
        xs, ys = [], []
        for i, m in enumerate(metrics):
            v = results[name].get(m)
            if _is_number(v) and not math.isnan(v):
                xs.append(i + (k - (len(names) - 1) / 2) * width)
                ys.append(v)
        ax.bar(xs, ys, width=width, label=name)
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels(metrics, rotation=30, ha='right')
    ax.set_ylim(0, 1.05)
    ax.set_ylabel('value')
    ax.grid(axis='y', alpha=0.3)
    ax.legend(ncol=min(len(names), 6), fontsize='small')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Table + bar chart of test metrics '
                                'of several work dirs')
    p.add_argument('runs', nargs='+', help='NAME=WORK_DIR or WORK_DIR')
    p.add_argument('--metrics', nargs='+', default=list(DEFAULT_METRICS),
                   help='metric keys (columns); missing ones show as "-"')
    p.add_argument('--out-dir', default='work_dirs/compare_strategies')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    results = {name: load_work_dir_metrics(path) for name, path in parse_runs(args.runs)}
    present = [m for m in args.metrics if any(m in r for r in results.values())]
    if not present:
        raise SystemExit(f'none of the metrics {args.metrics} is in any run; '
                         f'available: {sorted(set().union(*results.values()))}')
    os.makedirs(args.out_dir, exist_ok=True)
    table = markdown_table(results, present)
    md_path = osp.join(args.out_dir, 'strategies.md')
    with open(md_path, 'w') as f:
        f.write(table + '\n' + report_links(parse_runs(args.runs), args.out_dir))
    png_path = osp.join(args.out_dir, 'strategies.png')
    bar_chart(results, present, png_path)
    print(table)
    print(f'wrote {md_path} and {png_path}')


if __name__ == '__main__':
    main()
