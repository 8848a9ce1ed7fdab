# Planted faults: a classification metric that averages precision / recall
# over both classes instead of reporting the defect class's, and a CAM metric
# that thresholds raw maps without min-max normalisation.
_base_ = ['../../../../configs/gain/s1.py']
custom_imports = dict(imports=['mtl_plugin', 'diagnostics_planted'],
                      allow_failed_imports=False)
val_evaluator = [
    dict(type='DefectClsMetricMacroAverage', prefix='cls'),
    dict(type='CAMMetricWithoutMinMax', prefix='cam', threshold=0.5),
]
test_evaluator = val_evaluator
