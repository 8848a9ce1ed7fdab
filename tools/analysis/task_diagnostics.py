"""Per-task diagnostics of the 3-task study model.

    python tools/analysis/task_diagnostics.py CONFIG CHECKPOINT
        [--out-dir work_dirs/task_diagnostics] [--cfg-options k=v ...]

Runs the model on the test set and writes to ``--out-dir``:

* ``report.json`` / printed table: accuracy of A (shape) and B (orientation)
  vs chance, MAE of C (intensity) vs the MAE of predicting the mean,
  accuracy of B given A right / wrong, mean entropy of B's predicted
  distribution (vs log 32) and of its predicted-label histogram,
  ground-truth and predicted per-class counts;
* ``confusion_<task>.png`` for every classification task (B included).
"""
import argparse
import json
import os
import os.path as osp

import numpy as np
from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='3-task study diagnostics')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint file ("none" runs '
                        'the randomly initialised model)')
    parser.add_argument('--out-dir', default='work_dirs/task_diagnostics')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def save_confusion_png(conf: np.ndarray, title: str, path: str) -> None:
    """Row-normalised confusion matrix (rows = ground truth) as a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    norm = conf / np.clip(conf.sum(1, keepdims=True), 1, None)
    fig, ax = plt.subplots(figsize=(6, 5))
    im = ax.imshow(norm, cmap='viridis', vmin=0, vmax=1)
    ax.set_xlabel('predicted')
    ax.set_ylabel('ground truth')
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def collect(cfg, checkpoint: str):
    """Run the test loader through the model; return per-sample dicts."""
    import torch
    from mmengine.runner import Runner
    from mmengine.utils import ProgressBar

    from mtl_plugin.apis import build_model
    model = build_model(cfg, None if checkpoint == 'none' else checkpoint)
    loader_cfg = cfg.test_dataloader
    if not loader_cfg.get('num_workers', 0):
        loader_cfg['persistent_workers'] = False  # torch refuses it without workers
    loader = Runner.build_dataloader(loader_cfg)
    metric = cfg.test_evaluator
    tasks = list(metric['cls_tasks']) + list(metric.get('reg_tasks', []))
    results = []
    bar = ProgressBar(len(loader.dataset))
    with torch.no_grad():
        for batch in loader:
            for s in model.test_step(batch):
                item = {}
                for t in tasks:
                    item[f'gt_{t}'] = float(s.get(f'gt_{t}').reshape(-1)[0])
                    item[f'pred_{t}'] = s.get(f'pred_{t}').cpu().numpy()
                results.append(item)
                bar.update()
    return results


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import load_config
    from mtl_plugin.evaluation.metrics.multitask_study_metric import \
        study_report
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        cfg = load_config(args.config, args.cfg_options)
    except ConfigError as exc:
        raise SystemExit(f'error: {exc}')
    metric = cfg.test_evaluator
    if metric.get('type') != 'MultiTaskStudyMetric':
        raise SystemExit(f'{args.config}: test_evaluator must be a '
                         'MultiTaskStudyMetric (the study config)')
    try:
        results = collect(cfg, args.checkpoint)
    except ConfigError as exc:
        raise SystemExit(f'error: {exc}')
    cls_tasks = dict(metric['cls_tasks'])
    for r in results:
        for t in cls_tasks:
            r[f'gt_{t}'] = int(r[f'gt_{t}'])
    report = study_report(results, cls_tasks, metric.get('reg_tasks', []),
                          metric.get('conditional'))
    os.makedirs(args.out_dir, exist_ok=True)
    for t in cls_tasks:
        conf = report.pop(f'{t}/confusion')
        png = osp.join(args.out_dir, f'confusion_{t}.png')
        save_confusion_png(conf, f'{t}: accuracy {report[f"{t}/accuracy"]:.3f}'
                           f' (chance {report[f"{t}/chance"]:.3f})', png)
        report[f'{t}/confusion_png'] = png
        np.savetxt(osp.join(args.out_dir, f'confusion_{t}.csv'), conf,
                   fmt='%d', delimiter=',')
    report['num_samples'] = len(results)
    with open(osp.join(args.out_dir, 'report.json'), 'w') as f:
        json.dump(report, f, indent=2)
    print()
    for key, value in report.items():
        if isinstance(value, float):
            print(f'{key:45s} {value:.4f}')
        elif isinstance(value, list):
            print(f'{key:45s} {value}')
    print(f'report: {osp.join(args.out_dir, "report.json")}')


if __name__ == '__main__':
    main()
