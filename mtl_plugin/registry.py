"""Registries of mtl_plugin (scope ``'mtl_plugin'``).

Each registry is a child of **mmdet's** registry of the same role (mmdet's
are children of mmengine's roots). This differs from mmyolo, whose registries
are children of mmengine's roots and therefore siblings of mmdet's, so its
configs write ``'mmdet.PackDetInputs'``. Hanging ours under mmdet's is a
choice: most of the modules our configs use are mmdet's, and a child registry
falls back to its parent when a name is not its own, so

* with ``default_scope = 'mtl_plugin'`` a config names our modules and mmdet's
  (``FPN``, ``FCOSHead``, ``CocoMetric``, mmdet transforms) without a prefix;
* mmseg / mmpretrain modules are reached with their scope prefix
  (``'mmseg.IoUMetric'``, ``'mmpretrain.MobileNetV3'``);
* ``locations`` makes building from a config import the module that registers
  the requested class, so configs also work without ``custom_imports``.
"""
from mmdet.registry import DATA_SAMPLERS as MMDET_DATA_SAMPLERS
from mmdet.registry import DATASETS as MMDET_DATASETS
from mmdet.registry import EVALUATOR as MMDET_EVALUATOR
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import LOG_PROCESSORS as MMDET_LOG_PROCESSORS
from mmdet.registry import LOOPS as MMDET_LOOPS
from mmdet.registry import METRICS as MMDET_METRICS
from mmdet.registry import MODEL_WRAPPERS as MMDET_MODEL_WRAPPERS
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMDET_OPTIM_WRAPPER_CONSTRUCTORS
from mmdet.registry import OPTIM_WRAPPERS as MMDET_OPTIM_WRAPPERS
from mmdet.registry import OPTIMIZERS as MMDET_OPTIMIZERS
from mmdet.registry import PARAM_SCHEDULERS as MMDET_PARAM_SCHEDULERS
from mmdet.registry import RUNNER_CONSTRUCTORS as MMDET_RUNNER_CONSTRUCTORS
from mmdet.registry import RUNNERS as MMDET_RUNNERS
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmdet.registry import VISBACKENDS as MMDET_VISBACKENDS
from mmdet.registry import VISUALIZERS as MMDET_VISUALIZERS
from mmdet.registry import WEIGHT_INITIALIZERS as MMDET_WEIGHT_INITIALIZERS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import Registry

SCOPE = 'mtl_plugin'


def _child(name: str, parent: Registry, locations: list) -> Registry:
    return Registry(name, parent=parent, scope=SCOPE, locations=locations)


# Runner / engine
RUNNERS = _child('runner', MMDET_RUNNERS, ['mtl_plugin.engine'])
RUNNER_CONSTRUCTORS = _child('runner constructor', MMDET_RUNNER_CONSTRUCTORS,
                             ['mtl_plugin.engine'])
LOOPS = _child('loop', MMDET_LOOPS, ['mtl_plugin.engine'])
HOOKS = _child('hook', MMDET_HOOKS, ['mtl_plugin.engine'])
LOG_PROCESSORS = _child('log_processor', MMDET_LOG_PROCESSORS,
                        ['mtl_plugin.engine'])
OPTIMIZERS = _child('optimizer', MMDET_OPTIMIZERS, ['mtl_plugin.engine'])
OPTIM_WRAPPERS = _child('optim_wrapper', MMDET_OPTIM_WRAPPERS,
                        ['mtl_plugin.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMDET_OPTIM_WRAPPER_CONSTRUCTORS,
                                    ['mtl_plugin.engine'])
PARAM_SCHEDULERS = _child('parameter scheduler', MMDET_PARAM_SCHEDULERS,
                          ['mtl_plugin.engine'])

# Data
DATASETS = _child('dataset', MMDET_DATASETS, ['mtl_plugin.datasets'])
DATA_SAMPLERS = _child('data sampler', MMDET_DATA_SAMPLERS,
                       ['mtl_plugin.datasets'])
TRANSFORMS = _child('transform', MMDET_TRANSFORMS, ['mtl_plugin.datasets'])

# Models
MODELS = _child('model', MMDET_MODELS, ['mtl_plugin.models'])
MODEL_WRAPPERS = _child('model_wrapper', MMDET_MODEL_WRAPPERS,
                        ['mtl_plugin.models'])
WEIGHT_INITIALIZERS = _child('weight initializer', MMDET_WEIGHT_INITIALIZERS,
                             ['mtl_plugin.models'])
# Anchor generators, assigners, samplers, box coders.
TASK_UTILS = _child('task util', MMDET_TASK_UTILS, ['mtl_plugin.models'])

# Evaluation
METRICS = _child('metric', MMDET_METRICS, ['mtl_plugin.evaluation'])
EVALUATOR = _child('evaluator', MMDET_EVALUATOR, ['mtl_plugin.evaluation'])

# Visualization
VISUALIZERS = _child('visualizer', MMDET_VISUALIZERS,
                     ['mtl_plugin.visualization'])
VISBACKENDS = _child('vis_backend', MMDET_VISBACKENDS,
                     ['mtl_plugin.visualization'])

# mmdet has no function registry of its own (collate functions live in mmengine's).
FUNCTIONS = _child('function', MMENGINE_FUNCTIONS, ['mtl_plugin.datasets'])
