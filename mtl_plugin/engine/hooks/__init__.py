from .loss_weight_scheduler_hook import LossWeightSchedulerHook, schedule_value

__all__ = ['LossWeightSchedulerHook', 'schedule_value']
