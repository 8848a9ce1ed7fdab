_base_ = ['../../_base_/default_runtime.py']

# Same seed for every strategy, so S1..S6 differ only by their component.
randomness = dict(seed=0, deterministic=False)

# Named default hooks (dicts, not entries of the custom_hooks list), so each
# strategy merges into them: s4 adds the loc warm-up, s6 the alpha decay.
# tools/test.py --show-dir sets visualization.draw=True and test_out_dir.
default_hooks = dict(
    loss_weight_scheduler=dict(
        type='LossWeightSchedulerHook', schedules=dict(), stages=[]),
    visualization=dict(type='GAINVisualizationHook', draw=False, interval=50))
