from .gain_panels import draw_gain_panels  # noqa: F401
from .gain_visualization_hook import GAINVisualizationHook  # noqa: F401
from .multitask_local_visualizer import MultiTaskLocalVisualizer  # noqa: F401
