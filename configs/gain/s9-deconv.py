# S9 with a learned upsampler of the evidence map (DeconvMapDecoder: bilinear
# plus a learned residual of three transposed-convolution stages, zero at
# the start) instead of bilinear upsampling: the guidance terms, which act
# at input resolution, can place the map's peak inside an 8 px cell.
_base_ = ['./s9.py']

model = dict(map_upsampler=dict(type='DeconvMapDecoder', in_channels=1,
                                hidden_channels=16, num_layers=3))
