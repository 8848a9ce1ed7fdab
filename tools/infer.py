"""Run a trained model on new images: ``python tools/infer.py CONFIG CKPT INPUT... --out-dir DIR``.

INPUT: image files and/or folders (mask files left out: ``--exclude``). The
inferencer is chosen by the model (``mtl_plugin.apis.inferencer_for``) and
writes ``DIR/preds/<stem>.json``, ``DIR/vis/<stem>.png``, with
``--save-maps`` ``DIR/maps/<stem>.npz``, segmentation masks
``DIR/sem_seg/<stem>.png`` and ``DIR/summary.json``. An unreadable file is
skipped and listed with the reason (exit status 1); ``--on-error fail``
stops at the first one.
"""
import argparse
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description='Run a model on images')
    p.add_argument('config', help='config file path')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('inputs', nargs='+', help='image files and/or folders')
    p.add_argument('--out-dir', required=True, help='output folder')
    p.add_argument('--batch-size', type=int, default=4)
    p.add_argument('--device', default='cpu', help="'cpu', 'cuda:0', ...")
    p.add_argument('--no-vis', action='store_true', help='skip overlays')
    p.add_argument('--save-maps', action='store_true',
                   help='GAIN: save the maps at image size as .npz')
    p.add_argument('--det-thr', type=float, default=0.3,
                   help='detection: keep boxes with score >= this')
    p.add_argument('--on-error', choices=['skip', 'fail'], default='skip',
                   help='an unreadable input: skip and list it (default), or stop')
    # default None: MASK_PATTERNS of mtl_plugin/apis/image_inputs.py, resolved
    # after parsing, so that --help imports nothing heavy
    p.add_argument('--exclude', nargs='*', default=None, metavar='PATTERN',
                   help='file-name patterns left out of input folders (default: '
                   'the mask files of the dataset layouts, *_GT.* *_mask.*; '
                   '--exclude alone: none)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. model.test_cfg.score_thr=0.3')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import (
        MASK_PATTERNS,
        MultiTaskInferencer,
        collect_inputs,
        inferencer_for,
        load_config,
    )
    from mtl_plugin.utils.config_checks import ConfigError
    exclude = MASK_PATTERNS if args.exclude is None else args.exclude
    try:
        collect_inputs(args.inputs, exclude)  # a wrong path fails before the model loads
        cfg = load_config(args.config, args.cfg_options)
        cls = inferencer_for(cfg)
        inferencer = cls(cfg, args.checkpoint, device=args.device)
        extra = dict(draw_thr=args.det_thr, pred_score_thr=args.det_thr) \
            if issubclass(cls, MultiTaskInferencer) else {}
        out = inferencer(args.inputs, batch_size=args.batch_size, out_dir=args.out_dir,
                         on_error=args.on_error, save_maps=args.save_maps,
                         no_save_vis=args.no_vis, exclude=exclude, **extra)
    except (ConfigError, FileNotFoundError, KeyError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    print(out['summary_line'])
    sys.exit(1 if out['skipped'] else 0)


if __name__ == '__main__':
    main()
