"""mtl_plugin: OpenMMLab plugin package for multi-task vision.

Importing the package applies the compatibility fixes for the pinned stack
(:mod:`mtl_plugin.utils.compat`), registers mmdet's modules, and registers
every module of the plugin in its registries (scope ``'mtl_plugin'``, see
:mod:`mtl_plugin.registry`).
"""
from .utils import compat

compat.apply_all()

# Our registries are children of mmdet's, but a parent's modules are only found
# once imported: register mmdet's (hooks, visualizers, metrics, models, ...)
# as mmyolo does, without touching the default scope.
from mmdet.utils import register_all_modules as _register_mmdet  # noqa: E402

_register_mmdet(init_default_scope=False)

# diagnostics/ registers nothing: tools/diagnose.py imports it on its own.
from . import datasets, engine, evaluation, models, structures, visualization  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
