# s6-fine-cam-sufficiency.py with the learned deconvolution decoder (as
# s6-deconv.py) instead of bilinear upsampling of the 16x16 CAM and
# attention: two 2x stages (16 -> 64 px at 128 px input), then bilinear.
_base_ = ['./s6-fine-cam-sufficiency.py']

model = dict(map_upsampler=dict(type='DeconvMapDecoder', in_channels=1,
                                hidden_channels=8, num_layers=2))
