"""Export of trained models to deployable formats (ONNX)."""
from .export_preprocessor import ExportPreprocessor
from .gain_export_module import GAINExportModule
from .head_outputs_export_module import HeadOutputsExportModule
from .onnx_export import export_onnx, missing_onnx_packages, onnx_session, run_onnx
from .onnx_metadata import gain_metadata, read_onnx_metadata, write_onnx_metadata

__all__ = ['ExportPreprocessor', 'GAINExportModule', 'HeadOutputsExportModule',
           'export_onnx', 'missing_onnx_packages', 'onnx_session', 'run_onnx',
           'gain_metadata', 'read_onnx_metadata', 'write_onnx_metadata']
