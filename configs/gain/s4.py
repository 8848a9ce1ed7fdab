# S4 = S3 + localization head on an FPN (BCE + Dice) and CAM/attention-vs-loc
# consistency; both weights warm up from 0 over the first 50 % of training.
_base_ = ['./s3.py']

model = dict(
    loc_head=dict(
        type='GAINLocalizationHead',
        neck=dict(type='FPN', in_channels=[48, 64, 160, 1280],
                  out_channels=64, num_outs=4),
        detach_input=False),
    loss_weights=dict(loc=0.2, consistency=0.1))
default_hooks = dict(
    loss_weight_scheduler=dict(schedules=dict(
        loc=dict(start=0.0, until=0.5),
        consistency=dict(start=0.0, until=0.5))))
