"""What a deployed GAIN-MTL ONNX file must say about itself, in its
``metadata_props``: the operating point, the classes and the input contract.

An exported model without its threshold is half a model (anomalib's exports
carry theirs): a reader of the file alone can score an image, turn the score
into a label and name it. Values are JSON strings:

* ``score_thr``: defect iff ``scores[:, defect_class] >= score_thr``;
* ``defect_class``, ``classes``: the defect's class index and every name;
* ``input_size``: ``[H, W]`` the image is resized to (bilinear, aspect ratio
  not kept, as the test pipeline's ``Resize``);
* ``input_format``: float32 NCHW in the file's channel order (BGR as OpenCV
  reads it) and 0..255 range;
* ``mean``, ``std``, ``bgr_to_rgb``: the normalisation, applied inside the
  graph (``normalization_in_graph``: true), so the caller does not apply it;
* ``outputs``: the output names; ``model``: the model type.
"""
import json
from typing import Any, Dict, Sequence, Tuple

#: keys every GAIN-MTL export carries
GAIN_METADATA_KEYS = ('model', 'score_thr', 'defect_class', 'classes',
                      'input_size', 'input_format', 'mean', 'std', 'bgr_to_rgb',
                      'normalization_in_graph', 'outputs')


def gain_metadata(module, classes: Sequence[str], input_size: Tuple[int, int],
                  output_names: Sequence[str]) -> Dict[str, Any]:
    """The metadata of a :class:`GAINExportModule` export (plain values)."""
    model = module.model
    return dict(
        model=type(model).__name__,
        score_thr=float(model.test_cfg['score_thr']),
        defect_class=int(model.defect_class),
        classes=list(classes),
        input_size=[int(input_size[0]), int(input_size[1])],
        input_format='float32 NCHW, file channel order (BGR), 0..255, '
        'resized bilinearly to input_size',
        mean=module.preprocess.mean,
        std=module.preprocess.std,
        bgr_to_rgb=module.preprocess.bgr_to_rgb,
        normalization_in_graph=True,
        outputs=list(output_names))


def write_onnx_metadata(path: str, metadata: Dict[str, Any]) -> None:
    """Store ``metadata`` in the ``metadata_props`` of the ONNX file ``path``
    (each value as JSON), replacing what is there."""
    import onnx
    model = onnx.load(path)
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = json.dumps(value)
    onnx.save(model, path)


def read_onnx_metadata(session) -> Dict[str, Any]:
    """The metadata of an onnxruntime session's model, values decoded.

    Raises:
        ValueError: a key of :data:`GAIN_METADATA_KEYS` is missing (the file
            was not exported by ``tools/deployment/export_onnx.py`` of this
            version), naming the missing keys.
    """
    raw = session.get_modelmeta().custom_metadata_map
    meta = {key: json.loads(value) for key, value in raw.items()}
    missing = [k for k in GAIN_METADATA_KEYS if k not in meta]
    if missing:
        raise ValueError(f'the ONNX file has no metadata {missing}: export it with '
                         'tools/deployment/export_onnx.py, which writes the '
                         'threshold, classes and input size into it')
    return meta
