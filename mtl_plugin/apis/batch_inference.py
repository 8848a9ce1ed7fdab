"""The loop every inferencer shares: list the inputs, load each on its own,
predict batch by batch, write each image's outputs as it goes and a summary
at the end.

Used by the PyTorch inferencers (:class:`ConfigInferencer` and its
subclasses) and the ONNX one (:class:`OnnxDefectInferencer`), which differ only
in how an input is loaded and predicted and in what their results hold.
"""
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .image_inputs import MASK_PATTERNS, collect_inputs, input_stem
from .inference_writer import InferenceWriter
from .readable_batches import readable_batches


class BatchInference:
    """Mixin: :meth:`run` over the hooks a backend implements.

    Hooks: :meth:`_load` (one input -> data, raising when unreadable),
    :meth:`_predict` (list of data -> per-image predictions),
    :meth:`_results` (inputs and predictions -> result dicts and overlays),
    :meth:`_write` (one result -> files, via :class:`InferenceWriter`) and
    :meth:`_summary` (results -> the final line and summary keys).
    """

    show_progress: bool = True

    def _load(self, item: Any) -> Any:
        raise NotImplementedError

    def _predict(self, data: List[Any]) -> List[Any]:
        raise NotImplementedError

    def _results(self, items: List[Any], preds: List[Any], draw: bool
                 ) -> Tuple[List[Dict], List[Optional[np.ndarray]]]:
        raise NotImplementedError

    def _write(self, writer: InferenceWriter, stem: str, result: Dict,
               vis: Optional[np.ndarray], save_maps: bool) -> Dict:
        raise NotImplementedError

    def _summary(self, results: List[Dict]) -> Tuple[str, Dict]:
        raise NotImplementedError

    def run(self, inputs: Any, batch_size: int = 1, out_dir: Optional[str] = None,
            on_error: str = 'skip', exclude: Sequence[str] = MASK_PATTERNS,
            save_maps: bool = False, no_save_vis: bool = False,
            return_vis: bool = False, return_datasamples: bool = False) -> Dict:
        """Infer on ``inputs``.

        Args:
            inputs: a path (file or folder) or an image array, or a list.
            batch_size: images per forward pass.
            out_dir: write the outputs here (see
                :mod:`mtl_plugin.apis.inference_writer`); ``None``: only return
                them.
            on_error: ``'skip'`` (default): an input that cannot be read is
                left out and listed with the reason (``skipped``); ``'fail'``:
                :class:`UnreadableImageError` at the first one.
            exclude: file-name patterns left out of folders (default: the
                dataset layouts' mask files; ``()`` keeps every image).
            save_maps: with ``out_dir``, also write the maps as ``.npz``.
            no_save_vis: with ``out_dir``, do not draw the overlays.
            return_vis: return the overlays (``visualization``).
            return_datasamples: return the model's raw predictions instead of
                result dicts (not with ``out_dir``).

        Returns:
            ``dict(predictions, visualization, skipped, excluded,
            summary_line)``: one result per readable input in input order, the
            overlays (with ``return_vis``), ``dict(img_path, reason)`` per
            skipped input, the folder files left out, and the line that sums
            the run up.
        """
        if return_datasamples and out_dir:
            raise ValueError('return_datasamples=True returns raw predictions; '
                             'it cannot be combined with out_dir')
        items, excluded = collect_inputs(inputs, exclude, type(self).__name__)
        writer = InferenceWriter(out_dir) if out_dir else None
        draw = return_vis or (writer is not None and not no_save_vis)
        predictions: List[Any] = []
        visualization: List[np.ndarray] = []
        skipped: List[Dict] = []
        records: List[Dict] = []
        batches = readable_batches(items, self._load, batch_size, on_error)
        if self.show_progress:
            from rich.progress import track
            batches = track(batches, total=math.ceil(len(items) / batch_size),
                            description='Inference')
        for indices, data, failed in batches:
            skipped += failed
            if not data:
                continue
            preds = self._predict(data)
            if return_datasamples:
                predictions += preds
                continue
            results, vis = self._results([items[i] for i in indices], preds, draw)
            for i, result, image in zip(indices, results, vis):
                if writer is not None:
                    records.append(self._write(
                        writer, input_stem(items[i], i), result,
                        None if no_save_vis else image, save_maps))
                if return_vis:
                    visualization.append(image)
                predictions.append(result)
        line, extra = self._summary([] if return_datasamples else predictions)
        line += self._skip_note(skipped, excluded, exclude)
        if writer is not None:
            writer.write_summary(records, skipped, excluded, **extra)
            line += f'; results in {out_dir}'
        return dict(predictions=predictions, visualization=visualization,
                    skipped=skipped, excluded=excluded, summary_line=line)

    @staticmethod
    def _skip_note(skipped: List[Dict], excluded: List[str],
                   exclude: Sequence[str]) -> str:
        note = ''
        if excluded:
            note += (f'; {len(excluded)} folder file(s) left out by --exclude '
                     f'{" ".join(exclude)} (e.g. {excluded[0]})')
        if skipped:
            shown = ', '.join(f"{s['img_path']} ({s['reason']})"
                              for s in skipped[:5])
            more = f' and {len(skipped) - 5} more' if len(skipped) > 5 else ''
            note += f'; {len(skipped)} skipped, unreadable: {shown}{more}'
        return note
