"""Export a trained model to ONNX:
``python tools/deployment/export_onnx.py CONFIG CKPT --out model.onnx``.

* GAIN-MTL (``GAINMTL``): the whole classifier, from a ``(N, 3, H, W)``
  float32 BGR 0..255 image at the network input size to ``scores`` ``(N, K)``,
  ``cam`` and, when the model has them, ``attention`` and ``loc`` ``(N, 1, H,
  W)``, and ``labels`` ``(N,)`` at the model's threshold
  (:class:`mtl_plugin.deployment.GAINExportModule`). The file's metadata
  carries the threshold, the defect class, the class names, the input size
  and the normalisation (:mod:`mtl_plugin.deployment.onnx_metadata`), which
  ``tools/deployment/onnx_infer.py`` reads.
* Detection models (multi-task detector-segmentor, retail RetinaNet): the raw
  head outputs (:class:`mtl_plugin.deployment.HeadOutputsExportModule`); box
  decoding and NMS (mmcv's compiled ``nms`` op, no ONNX form in mmcv 2.x)
  are not in the graph.

The batch axis is dynamic (``--static-batch`` fixes it); height and width
are those of the test pipeline's ``Resize`` (``--shape H W`` to change).
``--verify`` runs the exported file with onnxruntime on a random batch of
``--verify-batch`` images and prints the largest absolute difference to
PyTorch per output (exit 1 above ``--atol``).
"""
import argparse
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Export a model to ONNX')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='output .onnx file')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width (default: the test Resize)')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--static-batch', action='store_true')
    parser.add_argument('--verify', action='store_true',
                        help='compare onnxruntime with PyTorch')
    parser.add_argument('--verify-batch', type=int, default=3)
    parser.add_argument('--atol', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def input_shape(cfg) -> tuple:
    """(H, W) of the test pipeline's ``Resize`` (mmcv scales are (w, h))."""
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'].split('.')[-1] == 'Resize' and 'scale' in step:
            w, h = step['scale']
            return int(h), int(w)
    raise ValueError('the test pipeline has no Resize with a scale; pass --shape H W')


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import torch

    import mtl_plugin  # noqa: F401
    from mtl_plugin.apis import build_model, inferencer_for, load_config
    from mtl_plugin.apis.dataset_meta import dataset_meta
    from mtl_plugin.apis.defect_inferencer import DefectInferencer
    from mtl_plugin.deployment import (
        GAINExportModule,
        HeadOutputsExportModule,
        export_onnx,
        gain_metadata,
        missing_onnx_packages,
        onnx_session,
        run_onnx,
        write_onnx_metadata,
    )
    from mtl_plugin.utils.config_checks import ConfigError
    missing = missing_onnx_packages()
    if missing:
        sys.exit(f'error: ONNX export needs {missing}: pip install -r '
                 'requirements/deploy.txt (or MTL_EXTRAS=deploy tools/install.sh)')
    try:
        cfg = load_config(args.config, args.cfg_options)
        h, w = args.shape or input_shape(cfg)
        model = build_model(cfg, args.checkpoint)
    except (ConfigError, ValueError) as exc:
        sys.exit(f'error: {exc}')
    is_gain = issubclass(inferencer_for(cfg), DefectInferencer)
    module = GAINExportModule(model) if is_gain else HeadOutputsExportModule(model)
    example = torch.rand(1, 3, h, w) * 255
    names = module.output_names(example)
    export_onnx(module, example, args.out, names, opset=args.opset,
                dynamic_batch=not args.static_batch)
    print(f'exported {args.out}: input img (batch, 3, {h}, {w}) float32 BGR 0..255; '
          f'outputs {list(names)}')
    if is_gain:
        meta = gain_metadata(module, dataset_meta(cfg).get('classes')
                             or ('normal', 'defect'), (h, w), names)
        write_onnx_metadata(args.out, meta)
        print(f"metadata: score_thr {meta['score_thr']}, classes {meta['classes']}, "
              f"defect class {meta['defect_class']}, input size {meta['input_size']}, "
              'normalisation in the graph')
    if not is_gain:
        print('not in the graph: box decoding and NMS (run the model\'s '
              'predict_by_feat on these outputs)')
    if args.verify:
        batch = 1 if args.static_batch else args.verify_batch
        img = torch.rand(batch, 3, h, w, generator=torch.Generator().manual_seed(0)) * 255
        with torch.no_grad():
            ref = [t.numpy() for t in module(img)]
        got = run_onnx(onnx_session(args.out), img.numpy())
        worst = 0.0
        for name, r, g in zip(names, ref, got):
            diff = float(np.abs(r - g).max())
            worst = max(worst, diff)
            print(f'  {name:>12} {tuple(g.shape)}: max |onnxruntime - torch| = {diff:.2e}')
        if worst > args.atol:
            sys.exit(f'error: outputs differ by {worst:.2e} > --atol {args.atol}')
        print(f'verified on a batch of {batch}: max abs difference {worst:.2e} '
              f'<= {args.atol}')


if __name__ == '__main__':
    main()
