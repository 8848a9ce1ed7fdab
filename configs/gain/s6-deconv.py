# S6 with a learned deconvolution decoder instead of bilinear upsampling of
# the CAM and attention maps (starts equal to bilinear and learns a residual).
_base_ = ['./s6.py']

model = dict(map_upsampler=dict(type='DeconvMapDecoder', in_channels=1,
                                hidden_channels=16, num_layers=3))
