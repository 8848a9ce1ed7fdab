from .atomic_checkpoint_hook import AtomicCheckpointHook
from .loss_weight_scheduler_hook import LossWeightSchedulerHook, schedule_value
from .shortcut_audit_hook import ShortcutAuditHook

__all__ = ['AtomicCheckpointHook', 'LossWeightSchedulerHook', 'ShortcutAuditHook',
           'schedule_value']
