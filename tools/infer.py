"""Run a trained model on new images: ``python tools/infer.py CONFIG CKPT INPUT... --out-dir DIR``.

INPUT: image files and/or folders (every image file in them but mask files:
``--exclude`` patterns, default ``*_GT.*`` and ``*_mask.*``). Serves the
GAIN-MTL defect classifiers (``GAINMTL``: :class:`DefectInferencer`) and the
detection workloads (multi-task detector-segmentor, retail detector:
:class:`MultiTaskInferencer`). Writes, per image ``<stem>``:

* ``DIR/preds/<stem>.json``: GAIN: defect ``score``, ``label`` (at the
  model's ``test_cfg.score_thr``), ``label_name``, ``score_thr``,
  ``pred_score``; detection: ``boxes`` (original-image pixels), ``scores``,
  ``labels``, ``label_names``, ``image_label`` ..., ``sem_seg_file``;
* ``DIR/vis/<stem>.png``: overlays (GAIN: image | CAM | attention |
  localization at image size; detection: boxes, mask and label), unless
  ``--no-vis``;
* GAIN with ``--save-maps``: ``DIR/maps/<stem>.npz`` (``cam``, ``attention``,
  ``loc``: float32 ``(H, W)`` at image size); detection with a segmentation
  head: ``DIR/sem_seg/<stem>.png`` (class index per pixel).

A progress bar runs over the batches; ``DIR/summary.json`` lists every image.
"""
import argparse
import json
import os
import os.path as osp
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description='Run a model on images')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', help='image files and/or folders')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda:0', ...")
    parser.add_argument('--no-vis', action='store_true', help='skip overlays')
    parser.add_argument('--save-maps', action='store_true',
                        help='GAIN: save the maps at image size as .npz')
    parser.add_argument('--det-thr', type=float, default=0.3,
                        help='detection: keep boxes with score >= this')
    # default None: the mask patterns of mtl_plugin.apis.image_inputs, so that
    # parsing (and --help) does not import the package
    parser.add_argument('--exclude', nargs='*', default=None, metavar='PATTERN',
                        help='file-name patterns left out of input folders (default: '
                        'the mask files of the dataset layouts, MASK_PATTERNS of '
                        'mtl_plugin/apis/image_inputs.py: *_GT.* *_mask.*; '
                        '--exclude alone: none)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. model.test_cfg.score_thr=0.3')
    return parser.parse_args(argv)


def collect_inputs(inputs, exclude=None):
    """Image files of ``inputs`` (folders expanded, sorted, file names
    matching a pattern of ``exclude`` left out of them; ``None``: the mask
    files, ``MASK_PATTERNS``), and the folder files left out; names must be
    unique, since outputs are named by file stem."""
    from mtl_plugin.apis.image_inputs import IMG_EXTENSIONS, MASK_PATTERNS, list_images
    if exclude is None:
        exclude = MASK_PATTERNS
    files, excluded = [], []
    for item in inputs:
        if osp.isdir(item):
            kept, skipped = list_images(item, exclude)
            files += kept
            excluded += skipped
        elif osp.isfile(item):
            files.append(item)
        else:
            raise FileNotFoundError(f'input {item!r} is not a file or folder')
    stems = [osp.splitext(osp.basename(f))[0] for f in files]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise ValueError(f'several inputs share the file name(s) {clash[:5]}; '
                         'outputs are named by file stem')
    if not files:
        raise FileNotFoundError(
            f'no image files ({", ".join(IMG_EXTENSIONS)}) in {inputs}'
            + (f' ({len(excluded)} left out by --exclude {" ".join(exclude)})'
               if excluded else ''))
    return files, excluded


def _write_json(path, data):
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)


def main(argv=None):
    args = parse_args(argv)
    import mmcv
    import numpy as np

    import mtl_plugin  # noqa: F401  (compat fixes + registration)
    from mtl_plugin.apis import load_config
    from mtl_plugin.apis.image_inputs import MASK_PATTERNS
    from mtl_plugin.apis.defect_inferencer import DefectInferencer
    from mtl_plugin.apis.multitask_inferencer import MultiTaskInferencer
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        files, excluded = collect_inputs(args.inputs, args.exclude)
        cfg = load_config(args.config, args.cfg_options)
        is_gain = cfg.model.get('type') == 'GAINMTL'
        cls = DefectInferencer if is_gain else MultiTaskInferencer
        inferencer = cls(cfg, args.checkpoint, device=args.device)
    except (ConfigError, FileNotFoundError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    if excluded:
        print(f'{len(excluded)} file(s) of the input folders left out by --exclude '
              f'{" ".join(MASK_PATTERNS if args.exclude is None else args.exclude)} '
              f'(e.g. {excluded[0]}); pass --exclude alone '
              'to keep them')
    vis_dir = None if args.no_vis else osp.join(args.out_dir, 'vis')
    kwargs = dict(batch_size=args.batch_size, show_dir=vis_dir)
    if not is_gain:
        kwargs.update(draw_thr=args.det_thr, pred_score_thr=args.det_thr)
    preds = inferencer(files, **kwargs)['predictions']
    for sub in ('preds', ) + (('maps', ) if is_gain and args.save_maps else ()):
        os.makedirs(osp.join(args.out_dir, sub), exist_ok=True)
    summary = []
    for path, pred in zip(files, preds):
        stem = osp.splitext(osp.basename(path))[0]
        record = dict(img_path=path)
        if is_gain:
            maps = {k: pred.pop(k) for k in ('cam', 'attention', 'loc') if k in pred}
            if args.save_maps:
                np.savez_compressed(osp.join(args.out_dir, 'maps', f'{stem}.npz'), **maps)
                record['maps_file'] = osp.join('maps', f'{stem}.npz')
        elif 'sem_seg' in pred:
            seg_file = osp.join('sem_seg', f'{stem}.png')
            mmcv.imwrite(pred.pop('sem_seg').astype(np.uint8),
                         osp.join(args.out_dir, seg_file))
            record['sem_seg_file'] = seg_file
        pred.pop('img_path', None)
        record.update(pred)
        if vis_dir:
            record['vis_file'] = osp.join('vis', f'{stem}.png')
        _write_json(osp.join(args.out_dir, 'preds', f'{stem}.json'), record)
        summary.append(record)
    _write_json(osp.join(args.out_dir, 'summary.json'), summary)
    if is_gain:
        flagged = sum(r['label'] for r in summary)
        print(f'{len(summary)} images, {flagged} flagged as defect at score >= '
              f'{summary[0]["score_thr"]}; results in {args.out_dir}')
    else:
        print(f'{len(summary)} images; results in {args.out_dir}')


if __name__ == '__main__':
    main()
