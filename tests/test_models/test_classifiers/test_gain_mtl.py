"""GAINMTL on a tiny MobileNetV3-Small at 64 px (one defect, one normal image)."""
import pytest
import torch
from mmengine.structures import PixelData

import mtl_plugin  # noqa: F401
from mtl_plugin.registry import MODELS
from mtl_plugin.structures import MultiTaskDataSample

SIZE = 64
# MobileNetV3-Small levels 1, 3, 8, 12: strides 4, 8, 16, 32.
LEVEL_CHANNELS = [16, 24, 48, 576]


def model_cfg(attention=False, loc=False, detach_loc=False, **kwargs):
    cfg = dict(
        type='GAINMTL',
        data_preprocessor=dict(type='ImgDataPreprocessor', mean=[128] * 3,
                               std=[64] * 3, bgr_to_rgb=True),
        backbone=dict(type='mmpretrain.MobileNetV3', arch='small',
                      out_indices=(1, 3, 8, 12)),
        cls_head=dict(type='CAMClsHead'),
        loss_weights=dict(cls=1.0))
    if attention:
        cfg['attention_head'] = dict(type='GAINAttentionHead', mid_channels=16)
    if loc:
        cfg['loc_head'] = dict(
            type='GAINLocalizationHead', detach_input=detach_loc,
            neck=dict(type='FPN', out_channels=16, num_outs=4))
    cfg.update(kwargs)
    return cfg


def batch():
    torch.manual_seed(0)
    inputs = torch.randn(2, 3, SIZE, SIZE)
    samples = []
    for label in (1, 0):
        mask = torch.zeros(1, SIZE, SIZE, dtype=torch.long)
        if label:
            mask[0, 20:36, 24:40] = 1
        sample = MultiTaskDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
        sample.gt_label = torch.tensor([label])
        sample.gt_sem_seg = PixelData(data=mask)
        samples.append(sample)
    return inputs, samples


def build(**kwargs):
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(**kwargs))
    model.init_weights()
    return model


def count_backbone_calls(model):
    calls = []
    model.backbone.register_forward_hook(lambda *args: calls.append(1))
    return calls


def test_s1_is_a_plain_classifier_pass():
    model = build()
    calls = count_backbone_calls(model)
    losses = model.loss(*batch())
    assert set(losses) == {'loss_cls'} and len(calls) == 1


def test_all_terms_are_weighted_and_prefixed():
    weights = dict(cls=1.0, cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                   consistency=0.1, cf=0.1, cf_effect=0.1)
    model = build(attention=True, loc=True, loss_weights=weights)
    calls = count_backbone_calls(model)
    losses = model.loss(*batch())
    assert set(losses) == {
        'loss_cls', 'loss_cam_guide', 'loss_am', 'loss_guide', 'loss_loc_bce',
        'loss_loc_dice', 'loss_consistency', 'loss_cf', 'loss_cf_effect'}
    assert len(calls) == 2  # main pass + attention-mining pass
    assert all(torch.isfinite(v) and v.ndim == 0 for v in losses.values())
    # Halving a weight halves its term (weights are applied by the model).
    model.set_loss_weight('cam_guide', 0.15)
    halved = model.loss(*batch())['loss_cam_guide']
    torch.testing.assert_close(halved * 2, losses['loss_cam_guide'])


def test_zero_weight_skips_extra_passes():
    model = build(attention=True, loc=True,
                  loss_weights=dict(am=0.0, guide=0.5, cf=0.0))
    calls = count_backbone_calls(model)
    loc_calls = []
    model.loc_head.register_forward_hook(lambda *a: loc_calls.append(1))
    losses = model.loss(*batch())
    assert len(calls) == 1 and not loc_calls
    assert 'loss_am' not in losses and 'loss_loc_bce' not in losses


def test_attention_mining_gradient_reaches_attention_head():
    model = build(attention=True, loss_weights=dict(cls=0.0, am=1.0))
    losses = model.loss(*batch())
    losses['loss_am'].backward()
    grad = model.attention_head.out.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    assert model.attention_head.conv.conv.weight.grad.abs().sum() > 0


def test_loc_stop_gradient_keeps_backbone_untouched():
    for detach, reaches in ((True, False), (False, True)):
        model = build(loc=True, detach_loc=detach,
                      loss_weights=dict(cls=0.0, loc=1.0))
        losses = model.loss(*batch())
        (losses['loss_loc_bce'] + losses['loss_loc_dice']).backward()
        grads = [p.grad for p in model.backbone.parameters()]
        touched = any(g is not None and g.abs().sum() > 0 for g in grads)
        assert touched is reaches
        assert model.loc_head.out.weight.grad.abs().sum() > 0


def test_counterfactual_sees_only_suppressed_features():
    model = build(loss_weights=dict(cls=0.0, cf=1.0))
    inputs, samples = batch()
    captured = {}
    original = model.cf_loss.suppress

    def spy(x, mask):
        out = original(x, mask)
        captured['in'], captured['out'] = x, out
        return out

    model.cf_loss.suppress = spy
    losses = model.loss(inputs, samples)
    assert captured['in'].shape[0] == 1  # defect image only
    grid_mask = torch.nn.functional.adaptive_max_pool2d(
        samples[0].gt_sem_seg.data[None].float(), captured['in'].shape[-2:])
    assert torch.all(captured['out'][0][:, grid_mask[0, 0] > 0] == 0)
    assert losses['loss_cf'].item() > 0


def test_gt_fusion_alpha_one_mines_the_gt_mask():
    model = build(attention=True, loss_weights=dict(am=1.0), gt_fusion=True,
                  gt_fusion_alpha=1.0)
    inputs, samples = batch()
    seen = {}
    original = model.attention_head.soft_mask

    def spy(guide):
        seen['guide'] = guide
        return original(guide)

    model.attention_head.soft_mask = spy
    model.loss(inputs, samples)
    expected = samples[0].gt_sem_seg.data[None].float()
    torch.testing.assert_close(seen['guide'], expected)
    model.gt_fusion_alpha = 0.0
    model.loss(inputs, samples)
    assert not torch.equal(seen['guide'], expected)


def test_predict_fills_every_map():
    model = build(attention=True, loc=True).eval()
    inputs, samples = batch()
    out = model.predict(inputs, samples)
    for sample in out:
        assert sample.pred_score.shape == (2, )
        assert sample.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
        # test_cfg.score_thr = 0.5: defect iff P(defect) >= 0.5
        assert sample.pred_label.item() == int(sample.pred_score[1] >= 0.5)
        for key in ('pred_cam', 'pred_attention', 'pred_loc'):
            assert getattr(sample, key).data.shape == (1, SIZE, SIZE)
        assert 0 <= sample.pred_loc.data.min() <= sample.pred_loc.data.max() <= 1
    plain = build()
    plain.test_cfg['with_maps'] = False
    out = plain.eval().predict(*batch())
    assert 'pred_cam' not in out[0] and out[0].pred_score.shape == (2, )


def test_config_errors_name_the_problem():
    with pytest.raises(KeyError, match='cam_guid'):
        build(loss_weights=dict(cam_guid=0.3))
    with pytest.raises(ValueError, match='attention_head'):
        build(loss_weights=dict(am=1.0))
    with pytest.raises(ValueError, match='loc_head'):
        build(loss_weights=dict(loc=0.2))
    model = build()
    _, samples = batch()
    del samples[0].gt_sem_seg
    model.set_loss_weight('cam_guide', 0.3)
    with pytest.raises(KeyError, match='gt_sem_seg'):
        model.loss(torch.randn(2, 3, SIZE, SIZE), samples)


def test_every_loss_runs_under_autocast():
    """All terms (balanced guidance, gt fusion, deconv upsampler) under CPU
    bf16 autocast: finite float32 losses and a backward that reaches the
    backbone. (CUDA fp16 autocast additionally forbids plain BCE on
    probabilities; every pixel loss uses the *_with_logits / MSE forms.)"""
    weights = dict(cls=1.0, cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                   consistency=0.1, cf=0.1, cf_effect=0.1)
    model = build(attention=True, loc=True, loss_weights=weights,
                  gt_fusion=True, gt_fusion_alpha=0.5,
                  map_upsampler=dict(type='DeconvMapDecoder', num_layers=2),
                  cam_guide_loss=dict(type='CAMGuidanceLoss', balanced=True),
                  guide_loss=dict(type='AttentionGuidanceLoss',
                                  balanced=True))
    inputs, samples = batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(inputs, samples)
    assert len(losses) == 9
    for name, value in losses.items():
        assert value.dtype == torch.float32, name
        assert torch.isfinite(value), name
    sum(losses.values()).backward()
    grad = next(model.backbone.parameters()).grad
    assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_defect_class_zero_is_the_same_model_with_classes_swapped():
    """``defect_class`` reaches every loss: a defect_class=0 model whose
    classifier rows are swapped, on swapped labels, gives the losses and maps
    of the defect_class=1 model."""
    weights = dict(cls=1.0, cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                   consistency=0.1, cf=0.1, cf_effect=0.1)
    ref = build(attention=True, loc=True, loss_weights=weights)
    swapped = build(attention=True, loc=True, loss_weights=weights,
                    defect_class=0)
    state = ref.state_dict()
    for key in ('cls_head.fc.weight', 'cls_head.fc.bias'):
        state[key] = state[key][[1, 0]]
    swapped.load_state_dict(state)
    inputs, samples = batch()
    torch.manual_seed(1)  # the CAL term draws a random attention
    expected = ref.loss(inputs, samples)
    for sample in samples:
        sample.gt_label = 1 - sample.gt_label
    torch.manual_seed(1)
    got = swapped.loss(inputs, samples)
    assert set(got) == set(expected)
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], msg=name)
    ref.eval(), swapped.eval()
    cam_ref = ref.predict(inputs)[0].pred_cam.data
    cam_swapped = swapped.predict(inputs)[0].pred_cam.data
    torch.testing.assert_close(cam_swapped, cam_ref)
    with pytest.raises(ValueError, match='defect_class=2'):
        build(defect_class=2)


def test_predict_label_follows_score_thr():
    model = build().eval()
    model.test_cfg['with_maps'] = False
    logits = torch.tensor([[0.0, 1.0], [0.0, -1.0]])  # P(defect) .731, .269
    model.cls_head.forward = lambda feat, with_cam=False: logits
    p_defect = logits.softmax(1)[:, 1]
    # >=: a score equal to the threshold is flagged
    for thr, expected in ((p_defect[1].item(), [1, 1]), (0.5, [1, 0]),
                          (p_defect[0].item(), [1, 0]), (0.75, [0, 0])):
        model.test_cfg['score_thr'] = thr
        out = model.predict(*batch())
        assert [s.pred_label.item() for s in out] == expected, thr
    with pytest.raises(ValueError, match='score_thr'):
        build(test_cfg=dict(score_thr=1.5))


# ------------------------------------------------ sufficiency terms, fine CAM
FINE_NECK = dict(type='FPN', out_channels=16,
                 start_level=1, num_outs=3, norm_cfg=dict(type='BN'),
                 act_cfg=dict(type='ReLU'))


def test_sufficiency_terms_share_one_extra_pass():
    model = build(loss_weights=dict(cam_guide=0.3, ctx_erase=1.0,
                                    transplant=0.5))
    seen = []
    model.backbone.register_forward_hook(
        lambda mod, args, out: seen.append(args[0].shape[0]))
    inputs, samples = batch()
    torch.manual_seed(3)  # the same partners and shifts in both calls
    losses = model.loss(inputs, samples)
    # main pass (2 images) + one pass over 2 context-erasure composites
    # (positive, complement) and 1 transplant
    assert seen == [2, 3]
    assert {'loss_ctx_erase', 'loss_ctx_erase_cam_guide', 'loss_transplant',
            'loss_transplant_cam_guide'} <= set(losses)
    assert all(torch.isfinite(v) and v.item() > 0 for v in losses.values())
    model.set_loss_weight('transplant', 0.25)
    torch.manual_seed(3)
    halved = model.loss(inputs, samples)
    torch.testing.assert_close(halved['loss_transplant'] * 2,
                               losses['loss_transplant'])
    torch.testing.assert_close(halved['loss_transplant_cam_guide'] * 2,
                               losses['loss_transplant_cam_guide'])


@pytest.mark.parametrize('term', ['ctx_erase', 'transplant'])
def test_sufficiency_gradient_reaches_backbone(term):
    model = build(loss_weights={'cls': 0.0, term: 1.0})
    losses = model.loss(*batch())
    losses[f'loss_{term}'].backward()
    grads = [p.grad for p in model.backbone.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    assert model.cls_head.fc.weight.grad.abs().sum() > 0


def test_sufficiency_skips_batches_without_the_images_it_needs():
    model = build(loss_weights=dict(cam_guide=0.3, ctx_erase=1.0,
                                    transplant=1.0))
    calls = count_backbone_calls(model)
    inputs, samples = batch()
    normal_only = [samples[1], samples[1]]
    losses = model.loss(inputs, normal_only)
    assert len(calls) == 1  # no composite, no extra pass
    for key in ('loss_ctx_erase', 'loss_ctx_erase_cam_guide',
                'loss_transplant', 'loss_transplant_cam_guide'):
        assert losses[key].item() == 0.0 and losses[key].requires_grad
    sum(losses.values()).backward()
    # defects only: context erasure falls back to a blurred context, the
    # transplant has no normal image to paste onto
    losses = build(loss_weights=dict(ctx_erase=1.0, transplant=1.0)).loss(
        inputs, [samples[0], samples[0]])
    assert losses['loss_ctx_erase'].item() > 0
    assert losses['loss_transplant'].item() == 0.0


def test_attention_region_context_erasure_needs_attention_head():
    with pytest.raises(ValueError, match="region='attention'"):
        build(loss_weights=dict(ctx_erase=1.0),
              context_erasure=dict(type='ContextErasure', region='attention'))
    model = build(attention=True, loss_weights=dict(ctx_erase=1.0),
                  context_erasure=dict(type='ContextErasure',
                                       region='attention'))
    assert model.loss(*batch())['loss_ctx_erase'].item() > 0


def test_fine_cam_from_an_fpn_level_keeps_logits_the_cam_mean():
    model = build(attention=True, cam_neck=FINE_NECK, cam_level=0,
                  attention_head=dict(type='GAINAttentionHead',
                                      mid_channels=8)).eval()
    inputs, samples = batch()
    logits, cams = model.cls_head(model.cam_features(model.backbone(inputs)))
    assert cams.shape == (2, 2, SIZE // 8, SIZE // 8)  # stride 8, not 32
    torch.testing.assert_close(logits, cams.mean(dim=(2, 3)) +
                               model.cls_head.fc.bias)
    out = model.predict(inputs, samples)
    assert out[0].pred_cam.data.shape == (1, SIZE, SIZE)
    torch.testing.assert_close(out[0].pred_score, logits[0].softmax(0))


def test_channels_are_filled_in_from_the_backbone_and_neck():
    """No channel count in the config: the heads read the built parts'
    channels; a model whose config states them (correctly) is the same model,
    parameter for parameter (the probe pass draws no random numbers)."""
    model = build(attention=True, loc=True)
    assert model.cls_head.in_channels == 576
    assert model.attention_head.conv.conv.in_channels == 576
    assert model.loc_head.neck.in_channels == LEVEL_CHANNELS
    stated = build(attention=True, loc=True,
                   cls_head=dict(type='CAMClsHead', in_channels=576),
                   attention_head=dict(type='GAINAttentionHead',
                                       in_channels=576, mid_channels=16),
                   loc_head=dict(type='GAINLocalizationHead',
                                 neck=dict(type='FPN', in_channels=LEVEL_CHANNELS,
                                           out_channels=16, num_outs=4)))
    for (name, a), (_, b) in zip(model.state_dict().items(),
                                 stated.state_dict().items()):
        assert torch.equal(a, b), name
    fine = build(attention=True, loc=True, cam_neck=FINE_NECK, cam_level=0)
    assert fine.cam_neck.in_channels == LEVEL_CHANNELS
    assert fine.cls_head.in_channels == 16  # the neck's out_channels
    assert fine.attention_head.conv.conv.in_channels == 16
    assert fine.loc_head.neck.in_channels == LEVEL_CHANNELS


def test_tensor_mode_is_what_predict_computes():
    model = build(attention=True, loc=True).eval()
    inputs, samples = batch()
    out = model(inputs)  # mode='tensor'
    assert list(out) == ['logits', 'scores', 'labels', 'cam', 'attention', 'loc']
    assert out['scores'].shape == (2, 2) and out['labels'].shape == (2, )
    for name in ('cam', 'attention', 'loc'):
        assert out[name].shape == (2, 1, SIZE, SIZE)
    preds = model.predict(inputs, samples)
    for i, sample in enumerate(preds):
        torch.testing.assert_close(sample.pred_score, out['scores'][i])
        assert sample.pred_label.item() == out['labels'][i].item()
        for name in ('cam', 'attention', 'loc'):
            torch.testing.assert_close(getattr(sample, f'pred_{name}').data,
                                       out[name][i])
    model.test_cfg['with_maps'] = False
    assert list(model(inputs)) == ['logits', 'scores', 'labels']


def test_fine_cam_config_errors_name_the_key():
    with pytest.raises(ValueError, match=r'cls_head.in_channels=576 but the '
                       r'cam_neck level cam_level=-1 gives 16'):
        build(cam_neck=FINE_NECK,
              cls_head=dict(type='CAMClsHead', in_channels=576))
    with pytest.raises(ValueError, match=r'loc_head.neck.in_channels=\[1, 2\]'):
        build(loc=True, loc_head=dict(
            type='GAINLocalizationHead',
            neck=dict(type='FPN', in_channels=[1, 2], out_channels=8,
                      num_outs=2)), loss_weights=dict(loc=0.1))
    with pytest.raises(ValueError, match='cam_level=3 but the cam_neck gives '
                       '3 levels'):
        build(cam_neck=FINE_NECK, cam_level=3)


def test_sufficiency_and_fine_cam_under_autocast():
    weights = dict(cls=1.0, cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                   consistency=0.1, cf=0.1, ctx_erase=1.0, transplant=1.0)
    model = build(attention=True, loc=True, loss_weights=weights,
                  gt_fusion=True, gt_fusion_alpha=0.5, cam_neck=FINE_NECK,
                  cam_level=0,
                  attention_head=dict(type='GAINAttentionHead',
                                      mid_channels=8))
    inputs, samples = batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(inputs, samples)
    assert len(losses) == 12
    for name, value in losses.items():
        assert value.dtype == torch.float32 and torch.isfinite(value), name
    sum(losses.values()).backward()
    grad = next(model.backbone.parameters()).grad
    assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


# ------------------------------------------------------- mixed supervision
MIXED_WEIGHTS = dict(cls=1.0, cam_guide=0.3, am=1.0, guide=0.5, loc=0.2,
                     consistency=0.1, cf=0.1)


def mixed_batch():
    """Three images: a masked defect, a defect without mask, a normal."""
    torch.manual_seed(0)
    inputs = torch.randn(3, 3, SIZE, SIZE)
    samples = []
    for label, has_mask in ((1, True), (1, False), (0, True)):
        sample = MultiTaskDataSample(
            metainfo=dict(img_shape=(SIZE, SIZE), has_mask=has_mask))
        sample.gt_label = torch.tensor([label])
        if has_mask:
            mask = torch.zeros(1, SIZE, SIZE, dtype=torch.long)
            if label:
                mask[0, 20:36, 24:40] = 1
            sample.gt_sem_seg = PixelData(data=mask)
        samples.append(sample)
    return inputs, samples


def test_unmasked_defect_skips_exactly_the_pixel_terms():
    """In eval mode (per-image BN) the pixel terms of a batch with an
    unmasked defect equal those of the batch without that image; the image
    still reaches the classification loss."""
    model = build(attention=True, loc=True, loss_weights=MIXED_WEIGHTS,
                  gt_fusion=True, gt_fusion_alpha=0.5).eval()
    inputs, samples = mixed_batch()
    got = model.loss(inputs, samples)
    keep = [0, 2]
    ref = model.loss(inputs[keep], [samples[i] for i in keep])
    for name in ('loss_cam_guide', 'loss_guide', 'loss_loc_bce',
                 'loss_loc_dice', 'loss_cf'):
        torch.testing.assert_close(got[name], ref[name], msg=name)
    # consistency is a weighted mean over the masked defect images
    torch.testing.assert_close(got['loss_consistency'], ref['loss_consistency'])
    # gradients: the unmasked image gets none from the pixel terms, and
    # some from the image-level ones
    inputs.requires_grad_(True)
    got = model.loss(inputs, samples)
    pixel = sum(got[k] for k in ('loss_cam_guide', 'loss_guide',
                                 'loss_loc_bce', 'loss_loc_dice', 'loss_cf',
                                 'loss_consistency'))
    (grad_pixel, ) = torch.autograd.grad(pixel, inputs, retain_graph=True)
    assert grad_pixel[1].abs().sum() == 0 and grad_pixel[0].abs().sum() > 0
    (grad_image, ) = torch.autograd.grad(got['loss_cls'] + got['loss_am'],
                                         inputs)
    assert grad_image[1].abs().sum() > 0


def test_batch_without_any_mask_keeps_a_graph_and_trains_the_classifier():
    model = build(attention=True, loc=True, loss_weights=MIXED_WEIGHTS)
    inputs, samples = mixed_batch()
    keep = [1]
    losses = model.loss(inputs[keep], [samples[i] for i in keep])
    for name in ('loss_cam_guide', 'loss_guide', 'loss_loc_bce',
                 'loss_loc_dice', 'loss_cf', 'loss_consistency'):
        assert losses[name].item() == 0.0, name
    assert losses['loss_cls'].item() > 0
    sum(losses.values()).backward()
    grad = next(model.backbone.parameters()).grad
    assert grad is not None and grad.abs().sum() > 0


def test_missing_mask_without_has_mask_false_is_an_error():
    model = build(loss_weights=dict(cls=1.0, cam_guide=0.3))
    inputs, samples = batch()
    del samples[0].gt_sem_seg
    samples[0].set_metainfo(dict(img_path='a/b.png'))
    with pytest.raises(KeyError, match="'a/b.png' has no gt_sem_seg"):
        model.loss(inputs, samples)


def test_augments_take_the_models_class_indices():
    model = build(defect_class=0)
    for augment in (model.context_erasure, model.defect_transplant):
        assert (augment.defect_class, augment.normal_class) == (0, 1)


def test_evidence_cam_is_the_class_difference_and_guidance_reaches_both_classes():
    """cam_evidence: the defect map is CAM_defect - CAM_normal (what the
    softmax decision depends on), in predict and in the guidance, so the
    guidance gradient reaches the normal class's weights too; offmask reads
    the same map."""
    plain = build(loss_weights=dict(cls=1.0, cam_guide=0.3))
    evidence = build(cam_evidence=True,
                     loss_weights=dict(cls=1.0, cam_guide=0.3, offmask=1.0))
    inputs, samples = batch()
    feat = evidence.cam_features(evidence.backbone(inputs))
    _, cams = evidence.cls_head(feat)
    torch.testing.assert_close(evidence.defect_map(cams), cams[:, 1:] - cams[:, :1])
    torch.testing.assert_close(plain.defect_map(cams), cams[:, 1:])
    losses = evidence.loss(inputs, samples)
    assert set(losses) == {'loss_cls', 'loss_cam_guide', 'loss_offmask'}
    losses['loss_cam_guide'].backward()
    grad = evidence.cls_head.fc.weight.grad
    assert grad[0].abs().sum() > 0 and grad[1].abs().sum() > 0
    evidence.zero_grad()
    plain.loss(inputs, samples)['loss_cam_guide'].backward()
    assert plain.cls_head.fc.weight.grad[0].abs().sum() == 0  # defect row only
    pred = evidence.eval().predict(inputs, samples)[0].pred_cam.data
    assert pred.shape == (1, SIZE, SIZE)
    with pytest.raises(ValueError, match='2-class'):
        build(cam_evidence=True, cls_head=dict(type='CAMClsHead', num_classes=3))
