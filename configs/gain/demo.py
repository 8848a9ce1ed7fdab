# The CPU demo's guided model: the recommended GAIN-MTL recipe
# (s6-fine-cam-sufficiency-deconv.py) on MobileNetV3-Small, randomly
# initialised, 128 px synthetic defects, 20 epochs on 2 CPU cores. Its twin
# demo-s1.py is the same recipe without guidance (S1); `make demo` trains and
# tests both and prints them side by side. The whole model is this file and
# _base_/models/gain-mtl_mobilenetv3-small.py; `python
# tools/misc/print_config.py configs/gain/demo.py` prints it merged.
_base_ = [
    '_base_/models/gain-mtl_mobilenetv3-small.py',
    '_base_/datasets/gain-demo.py',
    '_base_/schedules/adamw_20e.py',
    '_base_/default_runtime.py',
]

model = dict(
    # CAM and attention on the stride-8 level of an FPN over the backbone
    # (16x16 at 128 px); the logits are the spatial mean of that CAM.
    cam_neck=dict(type='FPN', out_channels=64, start_level=1, num_outs=3,
                  norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
    cam_level=0,  # FPN outputs: strides 8, 16, 32
    # CAM guidance (S2): the defect CAM supervised by the GT mask.
    cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
    # GAIN attention (S3): attention mining and attention guidance.
    attention_head=dict(type='GAINAttentionHead', mid_channels=64,
                        sigma=0.5, omega=10.0),
    guide_loss=dict(type='AttentionGuidanceLoss', balanced=True),
    # Localization head over all backbone levels (S4).
    loc_head=dict(type='GAINLocalizationHead',
                  neck=dict(type='FPN', out_channels=32, num_outs=4),
                  detach_input=False),
    # Sufficiency: the defect on a normal image's context is a defect, the
    # context alone is normal (context erasure); a defect moved onto a normal
    # image is a defect (transplant).
    context_erasure=dict(type='ContextErasure', region='gt', dilate=4,
                         fill='normal', complement=True),
    defect_transplant=dict(type='DefectTransplant', shift=True,
                           match_stats='mean', ring_width=3),
    # A learned 2-stage deconvolution upsampler of CAM and attention.
    map_upsampler=dict(type='DeconvMapDecoder', in_channels=1,
                       hidden_channels=8, num_layers=2),
    loss_weights=dict(cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                      consistency=0.1, cf=0.1, ctx_erase=1.0, transplant=1.0),
    # GT-mask fusion in the attention-mining mask (S6), decayed by the hook.
    gt_fusion=True,
    gt_fusion_alpha=0.5)
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5),
        consistency=dict(start=0.0, until=0.5),
        gt_fusion_alpha=dict(start=0.5, end=0.0, until=0.7, curve='linear'))),
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=1))
