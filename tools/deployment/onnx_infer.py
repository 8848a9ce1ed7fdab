"""Run an exported GAIN-MTL ONNX file on images, with nothing but the file:
``python tools/deployment/onnx_infer.py MODEL.onnx INPUT... --out-dir DIR``.

Threshold, classes and input size come from the file's metadata (written by
``tools/deployment/export_onnx.py``); outputs are those of ``tools/infer.py``
for the same model (``DIR/preds/<stem>.json``, ``vis/``, ``maps/`` with
``--save-maps``, ``summary.json``). An unreadable file is skipped and listed
with the reason (exit status 1); ``--on-error fail`` stops at the first one.
"""
import argparse
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Run an exported ONNX defect model')
    p.add_argument('onnx_file', help='file written by export_onnx.py')
    p.add_argument('inputs', nargs='+', help='image files and/or folders')
    p.add_argument('--out-dir', required=True, help='output folder')
    p.add_argument('--batch-size', type=int, default=4)
    p.add_argument('--score-thr', type=float, default=None,
                   help="operating point (default: the file's)")
    p.add_argument('--threads', type=int, default=0,
                   help='onnxruntime threads (0: its default)')
    p.add_argument('--no-vis', action='store_true', help='skip overlays')
    p.add_argument('--save-maps', action='store_true',
                   help='save the maps at image size as .npz')
    p.add_argument('--on-error', choices=['skip', 'fail'], default='skip',
                   help='an unreadable input: skip and list it (default), or stop')
    p.add_argument('--exclude', nargs='*', default=None, metavar='PATTERN',
                   help='file-name patterns left out of input folders (default: '
                   '*_GT.* *_mask.*; --exclude alone: none)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import MASK_PATTERNS, OnnxDefectInferencer
    from mtl_plugin.deployment import missing_onnx_packages
    if missing_onnx_packages():
        sys.exit(f'error: needs {missing_onnx_packages()}: pip install -r '
                 'requirements/deploy.txt')
    try:
        inferencer = OnnxDefectInferencer(args.onnx_file, args.score_thr, args.threads)
        out = inferencer(args.inputs, batch_size=args.batch_size, out_dir=args.out_dir,
                         on_error=args.on_error, save_maps=args.save_maps,
                         no_save_vis=args.no_vis, exclude=MASK_PATTERNS
                         if args.exclude is None else args.exclude)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    print(out['summary_line'])
    sys.exit(1 if out['skipped'] else 0)


if __name__ == '__main__':
    main()
