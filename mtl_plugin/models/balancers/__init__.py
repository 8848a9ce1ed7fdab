from .base_task_balancer import BaseTaskBalancer, group_task_losses, task_of
from .dwa_balancer import DWABalancer
from .fixed_weight_balancer import FixedWeightBalancer
from .pcgrad_balancer import PCGradBalancer, pcgrad_combine
from .uncertainty_balancer import UncertaintyBalancer

__all__ = [
    'BaseTaskBalancer', 'group_task_losses', 'task_of', 'DWABalancer',
    'FixedWeightBalancer', 'PCGradBalancer', 'pcgrad_combine',
    'UncertaintyBalancer'
]
