# toy_train.py for the fault tests (tests/test_tools/test_faults_*.py): the
# checkpoint hook and a pause hook can inject a fault (toy_fault_modules.py).
_base_ = './toy_train.py'
custom_imports = dict(imports=['mtl_plugin', 'toy_modules', 'toy_fault_modules'],
                      allow_failed_imports=False)
# 128 samples: the 25 iterations stay in one epoch, which spares the 2 s that
# mmengine's IterBasedTrainLoop sleeps at each epoch end.
train_dataloader = dict(dataset=dict(length=128))
train_cfg = dict(max_iters=25)
default_hooks = dict(checkpoint=dict(
    type='FaultyCheckpointHook', max_keep_ckpts=1,
    fault_step=None, fault_stage='mid_write', fault='pause'))
custom_hooks = [dict(type='PauseAtIterHook', at_iter=None, rank=None)]
