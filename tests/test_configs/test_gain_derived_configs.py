"""s5, s6 (with the shipped EfficientNetV2-S, random init), s6-deconv, s7, s8,
the sufficiency / fine-CAM variants of s6, s9 and its variants and the demo
build and run two training iterations and one validation pass on 64 px data:
each trains exactly the loss terms it switches on."""
import math

import pytest
import torch

from gain_config_runner import SIZE, make_defect_data, tiny_cfg, train_and_val

S5_TERMS = {'loss_cls', 'loss_cam_guide', 'loss_am', 'loss_guide',
            'loss_loc_bce', 'loss_loc_dice', 'loss_consistency', 'loss_cf'}
TERMS = {
    's5': S5_TERMS,
    's6': S5_TERMS,
    's6-deconv': S5_TERMS,
    's7': {'loss_cls', 'loss_cam_guide', 'loss_am', 'loss_guide', 'loss_cf'},
    's8': {'loss_cls', 'loss_cam_guide', 'loss_am', 'loss_guide', 'loss_cf'},
    's6-fine-cam': S5_TERMS,
    's6-context-erasure': S5_TERMS | {'loss_ctx_erase',
                                      'loss_ctx_erase_cam_guide'},
    's6-transplant': S5_TERMS | {'loss_transplant',
                                 'loss_transplant_cam_guide'},
    's6-fine-cam-sufficiency': S5_TERMS | {
        'loss_ctx_erase', 'loss_ctx_erase_cam_guide', 'loss_transplant',
        'loss_transplant_cam_guide'},
}
TERMS['s6-fine-cam-sufficiency-deconv'] = TERMS['s6-fine-cam-sufficiency']
S9_TERMS = {'loss_cls', 'loss_cam_guide', 'loss_offmask', 'loss_loc_bce',
            'loss_loc_dice', 'loss_cf', 'loss_ctx_erase',
            'loss_ctx_erase_cam_guide'}
TERMS['s9'] = S9_TERMS
for variant in ('mean-pool', 'no-evidence', 'no-control', 'complement',
                'all-defects', 'stride4-cam', 'deconv'):
    TERMS[f's9-{variant}'] = S9_TERMS
TERMS['s9-no-offmask'] = S9_TERMS - {'loss_offmask'}
TERMS['s9-no-context-erasure'] = S9_TERMS - {'loss_ctx_erase',
                                             'loss_ctx_erase_cam_guide'}
TERMS['s9-no-loc'] = S9_TERMS - {'loss_loc_bce', 'loss_loc_dice'}
# configs/gain/demo.py is the default strategy with the tiny backbone.
TERMS['demo'] = S9_TERMS
# Configs whose CAM (and attention) sit on the stride-8 grid (stride 4:
# s9-stride4-cam).
FINE_CAM = ('s6-fine-cam', 's6-fine-cam-sufficiency',
            's6-fine-cam-sufficiency-deconv', 'demo') + tuple(
                name for name in TERMS if name.startswith('s9'))
CAM_STRIDE = {'s9-stride4-cam': 4}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_defect_data(str(tmp_path_factory.mktemp('defects')))


@pytest.mark.parametrize('name', sorted(TERMS))
def test_derived_config_trains_and_validates(name, data_root, tmp_path):
    cfg = tiny_cfg(name, data_root, str(tmp_path),
                   tiny_backbone=name not in ('s6', 'demo'))
    out = train_and_val(cfg)
    losses = {k[len('train/'):] for k in out['scalars']
              if k.startswith('train/loss_')}
    assert losses == TERMS[name]
    assert all(math.isfinite(out['scalars'][f'train/{k}']) for k in losses)
    assert 0.0 <= out['metrics']['cls/accuracy'] <= 1.0
    if name in ('s6-deconv', 's6-fine-cam-sufficiency-deconv', 's9-deconv'):
        assert type(out['model'].cam_upsampler).__name__ == 'DeconvMapDecoder'
    if name in ('s6-deconv', 's6-fine-cam-sufficiency-deconv'):
        assert type(out['model'].att_upsampler).__name__ == 'DeconvMapDecoder'
    if name in ('s6', 's6-deconv', 's8'):
        # alpha 0.5 -> 0 over 70 % of training: 2 iterations -> progress 0.5.
        expected = 0.5 - 0.5 * 0.5 / 0.7
        assert out['scalars']['train/gt_fusion_alpha'] == pytest.approx(
            expected)
        assert out['model'].gt_fusion is True
    if name.startswith('s9') or name == 'demo':
        model = out['model']
        assert model.cam_evidence == (name != 's9-no-evidence')
        assert model.cls_head.pool == ('mean' if name == 's9-mean-pool' else 'lse')
    if name in FINE_CAM:
        feat = out['model'].cam_features(
            out['model'].backbone(torch.zeros(1, 3, SIZE, SIZE)))
        stride = CAM_STRIDE.get(name, 8)
        assert feat.shape[-2:] == (SIZE // stride, SIZE // stride)
