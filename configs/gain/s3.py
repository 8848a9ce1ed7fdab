# S3 = S2 + GAIN attention head: attention mining (L_am) + attention guidance
# (L_e, foreground/background-balanced). am weight 1.0 as GAIN's alpha; guide
# 0.5 as the GAIN-MTL strategy report (round 2).
_base_ = ['./s2.py']

model = dict(
    attention_head=dict(
        type='GAINAttentionHead', in_channels=1280, mid_channels=128,
        sigma=0.5, omega=10.0),
    guide_loss=dict(type='AttentionGuidanceLoss', balanced=True),
    loss_weights=dict(am=1.0, guide=0.5))
