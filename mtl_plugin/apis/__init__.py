"""High-level entry points: load a config (with the ``--cfg-options`` key
checks), build its model (with an optional checked checkpoint) and its
datasets, set up the train / test tools, and run a model on new images
(PyTorch or an exported ONNX file)."""
from .config import config_scope, load_config
from .dataset import SPLITS, build_dataset, unwrap_dataset
from .defect_inferencer import DefectInferencer
from .image_inputs import MASK_PATTERNS, collect_inputs
from .inferencer_for import inferencer_for
from .model import build_model
from .multitask_inferencer import MultiTaskInferencer
from .onnx_defect_inferencer import OnnxDefectInferencer
from .readable_batches import UnreadableImageError

__all__ = ['load_config', 'config_scope', 'build_model', 'build_dataset',
           'unwrap_dataset', 'SPLITS', 'DefectInferencer', 'MultiTaskInferencer',
           'OnnxDefectInferencer', 'inferencer_for', 'collect_inputs',
           'MASK_PATTERNS', 'UnreadableImageError']
