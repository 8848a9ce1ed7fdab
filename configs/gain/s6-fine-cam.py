# S6 with CAM and attention on a stride-8 FPN level instead of the last
# backbone level (stride 32): a 4x finer map from the same pass (16x16
# instead of 4x4 at 128 px), the logits still its spatial mean.
_base_ = ['./s6.py']

model = dict(
    cam_neck=dict(type='FPN', out_channels=64, start_level=1, num_outs=3,
                  norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
    cam_level=0,  # FPN outputs: strides 8, 16, 32
    attention_head=dict(mid_channels=64))
