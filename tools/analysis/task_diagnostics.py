"""Per-task diagnostics of the 3-task study model.

    python tools/analysis/task_diagnostics.py CONFIG CHECKPOINT
        [--out-dir work_dirs/task_diagnostics] [--cfg-options k=v ...]
        [--probe-max-train 4000] [--grid-per-class 8]

Runs the model on the test set and writes to ``--out-dir``:

* ``report.json`` / printed table: accuracy of A (shape) and B (orientation)
  vs chance, MAE of C (intensity) vs the MAE of predicting the mean,
  accuracy of B given A right / wrong, mean entropy of B's predicted
  distribution (vs log 32) and of its predicted-label histogram,
  ground-truth and predicted per-class counts;
* ``confusion_<task>.png`` for every classification task (B included);
* a linear probe of every classification task on the frozen backbone
  (``<task>/probe_flat_accuracy`` on the flattened last map, which keeps
  the layout, and ``<task>/probe_gap_accuracy`` on its global average):
  multinomial logistic regression fitted on the train split's features,
  scored on the test split. A probe far above the head says the features
  hold the task and the head cannot read it; a probe as low as the head
  says the features lack it;
* ``samples_<task>.png``: ``--grid-per-class`` test images of every class
  of each classification task, one row per class, so that a person can
  judge whether neighbouring classes (orientation bins) are distinguishable.
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
    parser.add_argument('--probe-max-train', type=int, default=4000,
                        help='train images the linear probes are fitted on '
                        '(0: no probe)')
    parser.add_argument('--grid-per-class', type=int, default=8,
                        help='test images per class in samples_<task>.png')
    return parser.parse_args(argv)


def linear_probe(train_x, train_y, test_x, test_y, num_classes: int,
                 l2: float = 1e-3, max_iter: int = 200) -> float:
    """Test accuracy of a multinomial logistic regression on features.

    Fitted by full-batch L-BFGS on features standardised with the train
    statistics, cross-entropy + ``l2 * |W|^2`` (deterministic, no learning
    rate to tune); written here because scikit-learn is not a dependency.

    Args:
        train_x, test_x: ``(N, D)`` float tensors.
        train_y, test_y: ``(N,)`` long class indices in ``[0, num_classes)``.
        num_classes: number of classes.
        l2: weight decay of the linear map.
        max_iter: L-BFGS iterations.

    Returns:
        accuracy on ``(test_x, test_y)`` in [0, 1].
    """
    import torch
    mean, std = train_x.mean(0), train_x.std(0).clamp_min(1e-6)
    xtr, xte = (train_x - mean) / std, (test_x - mean) / std
    linear = torch.nn.Linear(xtr.shape[1], num_classes)
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    opt = torch.optim.LBFGS(linear.parameters(), max_iter=max_iter,
                            line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(linear(xtr), train_y) + \
            l2 * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return float((linear(xte).argmax(1) == test_y).float().mean())


def class_grid(images: np.ndarray, labels: np.ndarray, num_classes: int,
               per_class: int, pad: int = 2) -> np.ndarray:
    """Tile images by class: row ``c`` holds the first ``per_class`` images
    of class ``c`` (blank cells where a class has fewer).

    Args:
        images: ``(N, H, W, 3)`` uint8.
        labels: ``(N,)`` class indices.
        num_classes: number of rows.
        per_class: number of columns.
        pad: white pixels between cells.

    Returns:
        ``(num_classes * (H + pad), per_class * (W + pad), 3)`` uint8.
    """
    h, w = images.shape[1:3]
    grid = np.full((num_classes * (h + pad), per_class * (w + pad), 3), 255,
                   dtype=np.uint8)
    for c in range(num_classes):
        for j, i in enumerate(np.flatnonzero(labels == c)[:per_class]):
            y, x = c * (h + pad), j * (w + pad)
            grid[y:y + h, x:x + w] = images[i]
    return grid


def save_class_grid_png(grid: np.ndarray, num_classes: int, title: str,
                        path: str) -> None:
    """The :func:`class_grid` array with one class label per row."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    row = grid.shape[0] / num_classes
    fig, ax = plt.subplots(figsize=(grid.shape[1] / 40 + 1,
                                    grid.shape[0] / 40 + 0.5))
    ax.imshow(grid, interpolation='nearest')
    ax.set_yticks([(c + 0.5) * row for c in range(num_classes)])
    ax.set_yticklabels([str(c) for c in range(num_classes)], fontsize=7)
    ax.set_xticks([])
    ax.set_ylabel('class')
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


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


def _loader(loader_cfg):
    from mmengine.runner import Runner
    if not loader_cfg.get('num_workers', 0):
        loader_cfg['persistent_workers'] = False  # torch refuses it without workers
    return Runner.build_dataloader(loader_cfg)


def collect(model, loader_cfg, tasks, max_samples=None):
    """Run a loader through the model.

    Returns:
        per-sample dicts (``gt_<task>``, ``pred_<task>``), the input images
        ``(N, H, W, 3)`` uint8 and the frozen backbone's last map
        ``(N, C, h, w)`` float.
    """
    import torch
    from mmengine.utils import ProgressBar
    loader = _loader(loader_cfg)
    total = len(loader.dataset) if max_samples is None else min(
        max_samples, len(loader.dataset))
    results, images, feats = [], [], []
    bar = ProgressBar(total)
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            feats.append(model.extract_feat(data['inputs']))
            # packed inputs are BGR (mmcv's loading); the PNG wants RGB
            images.extend(img.permute(1, 2, 0).cpu().numpy()[..., ::-1]
                          for img in batch['inputs'])
            for s in model.test_step(batch):
                item = {}
                for t in tasks:
                    item[f'gt_{t}'] = float(s.get(f'gt_{t}').reshape(-1)[0])
                    item[f'pred_{t}'] = s.get(f'pred_{t}').cpu().numpy()
                results.append(item)
                bar.update()
            if len(results) >= total:
                break
    n = len(results) if max_samples is None else total
    return (results[:n], np.stack(images)[:n].astype(np.uint8),
            torch.cat(feats)[:n])


def probe_report(model, cfg, cls_tasks, test_results, test_feats,
                 max_train: int) -> dict:
    """``<task>/probe_{flat,gap}_accuracy`` of every classification task."""
    import copy

    import torch
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    # the first max_train images, the same on every call
    loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
    train, _, train_feats = collect(model, loader_cfg, list(cls_tasks),
                                    max_samples=max_train)
    views = dict(flat=lambda f: f.flatten(1), gap=lambda f: f.mean((2, 3)))
    out = {}
    for t, k in cls_tasks.items():
        ytr = torch.tensor([int(r[f'gt_{t}']) for r in train])
        yte = torch.tensor([int(r[f'gt_{t}']) for r in test_results])
        for name, view in views.items():
            out[f'{t}/probe_{name}_accuracy'] = linear_probe(
                view(train_feats), ytr, view(test_feats), yte, k)
        out[f'{t}/probe_train_samples'] = len(train)
    return out


def main(argv=None):
    args = parse_args(argv)
    from mtl_plugin.apis import load_config
    from mtl_plugin.evaluation.metrics.multitask_study_metric import study_report
    from mtl_plugin.utils.config_checks import ConfigError
    try:
        cfg = load_config(args.config, args.cfg_options)
    except ConfigError as exc:
        raise SystemExit(f'error: {exc}')
    metric = cfg.test_evaluator
    if metric.get('type') != 'MultiTaskStudyMetric':
        raise SystemExit(f'{args.config}: test_evaluator must be a '
                         'MultiTaskStudyMetric (the study config)')
    from mtl_plugin.apis import build_model
    cls_tasks = dict(metric['cls_tasks'])
    tasks = list(cls_tasks) + list(metric.get('reg_tasks', []))
    try:
        model = build_model(
            cfg, None if args.checkpoint == 'none' else args.checkpoint)
    except ConfigError as exc:
        raise SystemExit(f'error: {exc}')
    results, images, feats = collect(model, cfg.test_dataloader, tasks)
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
        grid_png = osp.join(args.out_dir, f'samples_{t}.png')
        labels = np.array([r[f'gt_{t}'] for r in results])
        save_class_grid_png(
            class_grid(images, labels, cls_tasks[t], args.grid_per_class),
            cls_tasks[t], f'{t}: {args.grid_per_class} test images per '
            'class (row = ground-truth class)', grid_png)
        report[f'{t}/samples_png'] = grid_png
    if args.probe_max_train > 0:
        report.update(probe_report(model, cfg, cls_tasks, results, feats,
                                   args.probe_max_train))
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
