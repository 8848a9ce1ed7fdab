# Planted fault: RGB-ordered ImageNet mean with an ImageNet-pretrained backbone,
# but the BGR-decoded images are no longer flipped to RGB.
_base_ = ['./tiny_seg.py']
model = dict(
    data_preprocessor=dict(bgr_to_rgb=False),
    backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained',
                                checkpoint='open-mmlab://resnet18_v1c')))
