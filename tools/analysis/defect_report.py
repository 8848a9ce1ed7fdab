"""One HTML page about a GAIN-MTL test run: metrics, ROC / PR with the
operating point, score histograms, confusion matrix, worst-localised defects
and most confident errors, plus a per-image CSV.

    python tools/test.py CONFIG CKPT --work-dir work_dirs/s6 --out work_dirs/s6/preds.pkl
    python tools/analysis/defect_report.py work_dirs/s6 [--score-thr 0.5] [--num-panels 8]

INPUT is the dump (``.pkl`` of ``tools/test.py --out``) or a work dir holding
one (the newest ``*.pkl`` directly in it; its ``metrics.json`` is added to
the table). Writes ``defect_report.html`` (self-contained: images embedded)
and ``per_image.csv`` to ``--out-dir`` (default: ``<work dir>/defect_report``
or, for a dump, ``defect_report`` beside it). ``--score-thr`` is the
operating point drawn and counted; give the model's ``test_cfg.score_thr``
(0.5 unless changed, e.g. by ``tools/analysis/defect_threshold.py``).

Shortcut audit section (docs/shortcut_audit.md): ``--audit CONFIG CKPT``
runs the audit of ``tools/analysis/shortcut_audit.py`` (default settings,
``--audit-split``, ``--audit-max-images``) and writes its files to
``<out dir>/shortcut_audit``; ``--audit-json FILE`` embeds an audit already
written by that tool (its ``examples/`` beside the file).
"""
import argparse
import glob
import json
import os.path as osp
import sys


def resolve_input(path: str):
    """(dump path, metrics.json path or None, default output folder)."""
    if osp.isdir(path):
        dumps = sorted(glob.glob(osp.join(path, '*.pkl')), key=osp.getmtime)
        if not dumps:
            raise FileNotFoundError(
                f'{path}: no *.pkl prediction dump in this work dir (write one with '
                f'tools/test.py CONFIG CKPT --work-dir {path} --out {path}/preds.pkl)')
        metrics = osp.join(path, 'metrics.json')
        return dumps[-1], metrics if osp.isfile(metrics) else None, \
            osp.join(path, 'defect_report')
    return path, None, osp.join(osp.dirname(osp.abspath(path)), 'defect_report')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('input', help='work dir or tools/test.py --out dump')
    parser.add_argument('--out-dir')
    parser.add_argument('--score-thr', type=float, default=0.5)
    parser.add_argument('--num-panels', type=int, default=8)
    parser.add_argument('--defect-class', type=int, default=1)
    audit = parser.add_mutually_exclusive_group()
    audit.add_argument('--audit', nargs=2, metavar=('CONFIG', 'CKPT'),
                       help='run the shortcut audit of this model and add its section')
    audit.add_argument('--audit-json', metavar='FILE',
                       help='add the section of an audit.json of '
                       'tools/analysis/shortcut_audit.py')
    parser.add_argument('--audit-split', default='val', choices=['train', 'val', 'test'])
    parser.add_argument('--audit-max-images', type=int, default=None)
    args = parser.parse_args(argv)
    from mtl_plugin.evaluation.defect_predictions import load_defect_predictions
    from mtl_plugin.evaluation.shortcut_audit import AuditSettings, run_shortcut_audit
    from mtl_plugin.utils.config_checks import ConfigError
    from mtl_plugin.visualization.defect_report import write_defect_report
    try:
        dump, metrics_path, out_dir = resolve_input(args.input)
        preds = load_defect_predictions(dump, args.defect_class)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        sys.exit(f'error: {exc}')
    out_dir = args.out_dir or out_dir
    metrics = None
    if metrics_path:
        with open(metrics_path) as f:
            metrics = json.load(f)
    audit, audit_dir = None, None
    try:
        if args.audit:
            audit_dir = osp.join(out_dir, 'shortcut_audit')
            audit = run_shortcut_audit(
                args.audit[0], args.audit[1], args.audit_split, audit_dir,
                AuditSettings(max_images=args.audit_max_images))
        elif args.audit_json:
            with open(args.audit_json) as f:
                audit = json.load(f)
            audit_dir = osp.dirname(osp.abspath(args.audit_json))
    except (ConfigError, FileNotFoundError, KeyError, ValueError) as exc:
        sys.exit(f'error: shortcut audit: {exc}')
    page = write_defect_report(preds, out_dir, args.score_thr,
                               args.num_panels, metrics,
                               title=f'Defect inspection report: {dump}',
                               audit=audit, audit_dir=audit_dir)
    print(f'wrote {page} and {osp.join(osp.dirname(page), "per_image.csv")}')


if __name__ == '__main__':
    main()
