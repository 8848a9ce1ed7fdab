"""mtl_plugin: OpenMMLab plugin package for multi-task vision.

Importing the package applies the compatibility fixes for the pinned stack
(:mod:`mtl_plugin.utils.compat`) and registers every module in the plugin's
registries (scope ``'mtl_plugin'``, see :mod:`mtl_plugin.registry`).
"""
from .utils import compat

compat.apply_all()

from . import (datasets, diagnostics, engine, evaluation,  # noqa: E402,F401
               models, structures, visualization)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
