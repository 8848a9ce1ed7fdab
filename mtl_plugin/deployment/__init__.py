"""Export of trained models to deployable formats (ONNX)."""
from .gain_export_module import GAINExportModule
from .head_outputs_export_module import HeadOutputsExportModule
from .onnx_export import (export_onnx, missing_onnx_packages, onnx_session,
                          run_onnx)

__all__ = ['GAINExportModule', 'HeadOutputsExportModule', 'export_onnx',
           'missing_onnx_packages', 'onnx_session', 'run_onnx']
