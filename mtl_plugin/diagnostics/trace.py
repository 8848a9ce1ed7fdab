"""``trace``: one sample from the pipeline through the model.

Prints shapes, dtypes and value ranges after every transform, at the model
input (after the data preprocessor) and at the output of the backbone, neck
and every head; flags NaN/Inf and all-constant head outputs; checks that head
outputs depend on the input (the sample vs an inverted copy and a noise image
of the same shape); checks batch-size independence (the sample predicted alone
vs as the first item of a batch of three, model in eval mode so BatchNorm uses
running statistics); and compares CPU with GPU outputs when CUDA is available.
"""
import copy
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mtl_plugin.apis import build_dataset, build_model, unwrap_dataset
from mtl_plugin.utils.config_checks import ConfigError

from .findings import Report
from .pipeline_probe import (
    array_summary,
    format_steps,
    format_summary,
    pipeline_transforms,
    run_steps,
)

# Relative tolerance for "same output" (float32 conv reorderings stay ~1e-6).
REL_TOL = 1e-3


def _leaves(out: Any, prefix: str = '') -> List[Tuple[str, torch.Tensor]]:
    """Tensor leaves of a nested output with index paths (``[0][2]``)."""
    if isinstance(out, torch.Tensor):
        return [(prefix or '[]', out)]
    if isinstance(out, dict):
        items = out.items()
    elif isinstance(out, (list, tuple)):
        items = enumerate(out)
    else:
        return []
    leaves = []
    for k, v in items:
        leaves += _leaves(v, f'{prefix}[{k}]')
    return leaves


def hooked_modules(model: torch.nn.Module) -> List[Tuple[str, torch.nn.Module]]:
    """Backbone, neck and heads (any module up to 3 levels deep whose name
    ends in ``head``/``heads`` member) of a model."""
    chosen = []
    for name, module in model.named_modules():
        parts = name.split('.')
        if not name or len(parts) > 3:
            continue
        if name in ('backbone', 'neck') or 'head' in parts[-1] or (
                len(parts) > 1 and parts[-2] == 'heads'):
            if parts[-1] == 'heads':  # a container: hook its members instead
                continue
            chosen.append((name, module))
    return chosen


class OutputRecorder:
    """Keeps the first output of each traced module per run.

    Wraps the instance's ``forward`` instead of registering a forward hook:
    mmseg heads call ``self.forward(...)`` directly in ``predict``, which
    bypasses hooks.
    """

    def __init__(self, model: torch.nn.Module) -> None:
        self.outputs: Dict[str, Any] = {}
        self.modules = hooked_modules(model)
        for name, module in self.modules:
            module.forward = self._wrap(name, module.forward)

    def _wrap(self, name: str, forward):
        def wrapped(*args, **kwargs):
            output = forward(*args, **kwargs)
            self.outputs.setdefault(name, _detach(output))
            return output
        return wrapped

    def run(self, fn) -> Tuple[Dict[str, Any], Any]:
        self.outputs = {}
        with torch.no_grad():
            result = fn()
        return self.outputs, result

    def remove(self) -> None:
        for _, module in self.modules:
            del module.forward  # back to the class's forward


def _detach(out: Any) -> Any:
    if isinstance(out, torch.Tensor):
        return out.detach().float().cpu().clone()
    if isinstance(out, dict):
        return {k: _detach(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return [_detach(v) for v in out]
    return None


def _rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.numel() == 0 or b.numel() == 0:
        return 0.0 if a.numel() == b.numel() else float('inf')
    scale = max(a.abs().max().item(), b.abs().max().item(), 1e-6)
    return (a - b).abs().max().item() / scale


def _perturbed(packed: Dict) -> List[Dict]:
    """Two other inputs of the same shape: the inverted image and noise."""
    inverted = copy.deepcopy(packed)
    img = packed['inputs']
    inverted['inputs'] = (255 - img.float()).to(img.dtype) if img.dtype == torch.uint8 \
        else -img
    noise = copy.deepcopy(packed)
    gen = torch.Generator().manual_seed(0)
    if img.dtype == torch.uint8:
        noise['inputs'] = torch.randint(0, 256, img.shape, generator=gen,
                                        dtype=torch.uint8)
    else:
        noise['inputs'] = torch.randn(img.shape, generator=gen).to(img.dtype)
    return [inverted, noise]


def _predict(model, packed_list: List[Dict]):
    data = pseudo_collate(copy.deepcopy(packed_list))
    data = model.data_preprocessor(data, False)
    return model(**data, mode='predict')


def _preds_summary(samples) -> Dict[str, torch.Tensor]:
    """Prediction tensors of one data sample, by field."""
    out = {}
    for key in ('pred_sem_seg', 'pred_score', 'pred_label', 'pred_cam', 'pred_loc',
                'pred_attention', 'seg_logits'):
        if key in samples:
            v = getattr(samples, key)
            out[key] = (v.data if hasattr(v, 'data') else v).detach().float().cpu()
    if 'pred_instances' in samples and 'scores' in samples.pred_instances:
        out['pred_instances.scores'] = samples.pred_instances.scores.detach().cpu()
    return out


def trace(cfg: Config, dataset: Optional[Any] = None, index: int = 0,
          model: Optional[torch.nn.Module] = None) -> Report:
    """Trace sample ``index`` of ``dataset`` (default: the config's test
    dataset) through the pipeline and ``model`` (default: built from cfg by
    :func:`mtl_plugin.apis.build_model`, randomly initialised unless
    cfg.load_from is set; a load_from checkpoint whose weights do not fit the
    model is an ERROR finding, listing the mismatched keys)."""
    report = Report('trace')
    if dataset is None:
        dataset = unwrap_dataset(build_dataset(cfg, 'test'))
    info = dataset.get_data_info(index)
    packed, steps = run_steps(info, pipeline_transforms(dataset))
    report.section(f'pipeline of sample {index} ({info.get("img_path", "?")})',
                   format_steps(steps))
    if packed is None:
        report.error('pipeline', f'the pipeline dropped sample {index}')
        return report
    for name, summaries in steps:
        for key, s in summaries.items():
            if s and (s.get('nan') or s.get('inf')):
                report.error('nan/inf', f'{key} holds NaN/Inf after {name}')
    if model is None:
        try:
            model = build_model(cfg, checkpoint=cfg.get('load_from') or None)
        except ConfigError as exc:
            report.error('weights', str(exc))
            return report
        if cfg.get('load_from'):
            report.info('weights', f'loaded {cfg.load_from}')
        else:
            report.info('weights', 'randomly initialised model (set load_from to '
                        'trace a trained checkpoint)')
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(pseudo_collate([copy.deepcopy(packed)]), False)
    inputs = data['inputs']
    lines = [f'inputs                 {format_summary(array_summary(inputs))}']
    if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
        means = inputs.float().mean(dim=(0, 2, 3)).tolist()
        stds = inputs.float().std(dim=(0, 2, 3)).tolist()
        lines.append(f'per-channel mean {[round(m, 3) for m in means]} std '
                     f'{[round(s, 3) for s in stds]}')
        if max(abs(m) for m in means) > 5 or max(stds) > 10:
            report.warning('model input', f'normalised input has channel means '
                           f'{[round(m, 2) for m in means]}, stds '
                           f'{[round(s, 2) for s in stds]}: is the data '
                           'preprocessor normalising?')
        if not torch.isfinite(inputs.float()).all():
            report.error('nan/inf', 'model input holds NaN/Inf')
    report.section('model input (after data_preprocessor)', '\n'.join(lines))

    recorder = OutputRecorder(model)
    try:
        outs, preds = recorder.run(lambda: _predict(model, [packed]))
        others = [recorder.run(lambda p=p: _predict(model, [p]))[0]
                  for p in _perturbed(packed)]
        batch_outs, batch_preds = recorder.run(
            lambda: _predict(model, [packed] + _perturbed(packed)))
    finally:
        recorder.remove()
    _report_outputs(outs, report)
    _check_dependence(outs, others, report)
    _check_batch(outs, batch_outs, preds[0], batch_preds[0], report)
    if torch.cuda.is_available():
        _check_gpu(model, packed, outs, report)
    else:
        report.info('cpu vs gpu', 'no CUDA device: CPU/GPU comparison skipped')
    report.data.update(outputs=outs, packed=packed)
    return report


def _report_outputs(outs: Dict[str, Any], report: Report) -> None:
    lines = []
    for name, out in outs.items():
        is_head = name not in ('backbone', 'neck')
        for path, t in _leaves(out):
            lines.append(f'{name}{path:<10} {format_summary(array_summary(t))}')
            if not torch.isfinite(t).all():
                report.error('nan/inf', f'output {name}{path} holds NaN/Inf')
            elif is_head and t.numel() > 1 and t.max() == t.min():
                report.error('constant output', f'head output {name}{path} '
                             f'{tuple(t.shape)} is constant ({t.max().item():.4g})'
                             ' everywhere')
    if not outs:
        report.warning('model', 'no backbone / neck / head module found to trace')
    report.section('module outputs (sample alone, eval mode)', '\n'.join(lines))


def _check_dependence(outs, others, report: Report) -> None:
    for name, out in outs.items():
        if name in ('backbone', 'neck'):
            continue
        leaves = _leaves(out)
        same = all(
            all(a.shape == b.shape and torch.equal(a, b)
                for (_, a), (_, b) in zip(leaves, _leaves(o.get(name))))
            and len(_leaves(o.get(name))) == len(leaves)
            for o in others)
        if leaves and same:
            report.error('input dependence', f'output of {name} is identical for '
                         'the sample, its inverted image and a noise image: it '
                         'does not depend on its input')


def _first(t: torch.Tensor, n: int) -> Optional[torch.Tensor]:
    return t[:1] if t.dim() and t.shape[0] == n else None


def _check_batch(outs, batch_outs, pred, batch_pred, report: Report) -> None:
    worst = (0.0, '')
    for name, out in outs.items():
        alone = _leaves(out)
        batched = _leaves(batch_outs.get(name))
        for (path, a), (_, b) in zip(alone, batched):
            b0 = _first(b, 3)
            if b0 is None or b0.shape != a.shape:
                continue
            d = _rel_diff(a, b0)
            if d > worst[0]:
                worst = (d, f'{name}{path}')
    pa, pb = _preds_summary(pred), _preds_summary(batch_pred)
    for key in pa:
        if key in pb and pa[key].shape == pb[key].shape:
            d = _rel_diff(pa[key], pb[key])
            if d > worst[0]:
                worst = (d, key)
    if worst[0] > REL_TOL:
        report.error('batch dependence', f'{worst[1]} differs by {worst[0]:.3g} '
                     '(relative) between the sample alone and inside a batch of 3 '
                     '(eval mode): something uses batch statistics or mixes samples')
    else:
        report.info('batch dependence', f'sample alone vs in a batch of 3: max '
                    f'relative difference {worst[0]:.2g} ({worst[1] or "-"})')


def _check_gpu(model, packed, outs, report: Report) -> None:
    gpu_model = copy.deepcopy(model).cuda().eval()
    recorder = OutputRecorder(gpu_model)
    try:
        gpu_outs, _ = recorder.run(lambda: _predict(gpu_model, [packed]))
    finally:
        recorder.remove()
    worst = (0.0, '')
    for name, out in outs.items():
        for (path, a), (_, b) in zip(_leaves(out), _leaves(gpu_outs.get(name))):
            if a.shape == b.shape:
                d = _rel_diff(a, b)
                worst = max(worst, (d, f'{name}{path}'))
    # TF32 convolutions on Ampere+ differ from fp32 CPU by ~1e-3 relative.
    if worst[0] > 1e-2:
        report.error('cpu vs gpu', f'{worst[1]} differs by {worst[0]:.3g} '
                     '(relative) between CPU and GPU')
    else:
        report.info('cpu vs gpu', f'max relative difference {worst[0]:.2g}')
