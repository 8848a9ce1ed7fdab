# S9: the default recipe, the best measured (docs/results/gain.md also says
# where it falls short: PointGame on real photographs). Every map term acts
# on the *evidence* map (the defect-class CAM minus the normal-class CAM on a
# stride-8 FPN level), and the logits pool that map with log-sum-exp, so a
# cue cell cannot reach the decision through the normal class or hide in a
# spatial mean:
#   cam_guide  the evidence inside the GT mask (S2's term on the evidence map);
#   offmask    no positive evidence outside the dilated GT mask;
#   loc, cf    localization head (S4) and counterfactual erasure (S5);
#   ctx_erase  a quarter of each batch's defect images (at least one) with
#              their context replaced by a normal image's (-> defect), and as
#              a control a normal region pasted the same way (-> normal: the
#              seam is no evidence).
# No attention-mining pass and no transplant: the extra pass is small
# (benchmarks/gain_speed.py gives the cost against S1).
_base_ = [
    '_base_/models/gain-mtl_efficientnetv2-s.py',
    '_base_/datasets/synthetic-defects.py',
    '_base_/schedules/adamw_30e.py',
    '_base_/default_runtime.py',
]

model = dict(
    cam_neck=dict(type='FPN', out_channels=64, start_level=1, num_outs=3,
                  norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
    cam_level=0,  # FPN outputs: strides 8, 16, 32
    cls_head=dict(pool='lse', lse_r=5.0),
    cam_evidence=True,
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    offmask_loss=dict(type='OffMaskEvidenceLoss', topk=0.05, dilate=4),
    loc_head=dict(type='GAINLocalizationHead',
                  neck=dict(type='FPN', out_channels=64, num_outs=4),
                  detach_input=False),
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=False, control=True,
                         feather=2, defect_fraction=0.25),
    loss_weights=dict(cam_guide=0.3, offmask=1.0, loc=0.2, cf=0.1,
                      ctx_erase=1.0))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5))))
