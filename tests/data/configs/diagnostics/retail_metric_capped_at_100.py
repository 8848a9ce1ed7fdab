# Planted fault: a DenseCocoMetric that computes every number at 100
# detections per image while naming them after max_dets=300.
_base_ = ['../../../../configs/retail/retinanet-dense_r50_fpn_1x_sku110k.py']
custom_imports = dict(imports=['mtl_plugin', 'diagnostics_planted'],
                      allow_failed_imports=False)
val_evaluator = dict(type='DenseCocoMetricCappedAt100')
test_evaluator = val_evaluator
