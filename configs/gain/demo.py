# The CPU demo's guided model: the default GAIN-MTL recipe (s9.py) on
# MobileNetV3-Small, randomly initialised, 128 px synthetic defects, 20 epochs
# on 2 CPU cores. Its twin demo-s1.py is the same recipe without guidance
# (S1); `make demo` trains and tests both and prints them side by side. The
# whole model is this file and _base_/models/gain-mtl_mobilenetv3-small.py;
# `python tools/misc/print_config.py configs/gain/demo.py` prints it merged.
_base_ = [
    '_base_/models/gain-mtl_mobilenetv3-small.py',
    '_base_/datasets/gain-demo.py',
    '_base_/schedules/adamw_20e.py',
    '_base_/default_runtime.py',
]

model = dict(
    # CAM on the stride-8 level of an FPN over the backbone (16x16 at 128 px).
    cam_neck=dict(type='FPN', out_channels=64, start_level=1, num_outs=3,
                  norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
    cam_level=0,  # FPN outputs: strides 8, 16, 32
    # Logits: log-sum-exp of the class maps; the defect map is the evidence
    # (defect-class CAM minus normal-class CAM).
    cls_head=dict(pool='lse', lse_r=5.0),
    cam_evidence=True,
    # The evidence inside the GT mask (CAM guidance) and none outside it.
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    offmask_loss=dict(type='OffMaskEvidenceLoss', topk=0.05, dilate=4),
    # Localization head over all backbone levels (S4).
    loc_head=dict(type='GAINLocalizationHead',
                  neck=dict(type='FPN', out_channels=32, num_outs=4),
                  detach_input=False),
    # Sufficiency: a quarter of the defects on a normal image's context is a
    # defect; a normal region pasted the same way (the seam alone) is normal.
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=False, control=True,
                         feather=2, defect_fraction=0.25),
    loss_weights=dict(cam_guide=0.3, offmask=1.0, loc=0.2, cf=0.1,
                      ctx_erase=1.0))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5))),
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=1))
