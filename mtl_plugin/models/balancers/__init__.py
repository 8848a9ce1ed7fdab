from .base_task_balancer import BaseTaskBalancer, group_task_losses, task_gradients, task_of
from .dwa_balancer import DWABalancer
from .fixed_weight_balancer import FixedWeightBalancer
from .gradnorm_balancer import GradNormBalancer, gradnorm_target_weights
from .imtlg_balancer import IMTLGBalancer, imtlg_weights
from .pcgrad_balancer import PCGradBalancer, pcgrad_combine
from .uncertainty_balancer import UncertaintyBalancer

__all__ = [
    'BaseTaskBalancer', 'group_task_losses', 'task_gradients', 'task_of',
    'DWABalancer', 'FixedWeightBalancer', 'GradNormBalancer',
    'gradnorm_target_weights', 'IMTLGBalancer', 'imtlg_weights',
    'PCGradBalancer', 'pcgrad_combine', 'UncertaintyBalancer'
]
