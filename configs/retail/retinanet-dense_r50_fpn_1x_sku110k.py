# Dense retail detector on SKU-110K: ResNet50-FPN (P2..P6), dense anchors,
# IoU 0.3 + centre-sampling assignment, <= 300 detections per image.
_base_ = [
    '../_base_/default_runtime.py',
    './_base_/models/retinanet-dense_r50_fpn.py',
    './_base_/datasets/sku110k.py',
    './_base_/schedules/schedule_1x.py',
]
# mmdet's hooks and visualizers register on import; our child registries
# reach them only once their modules are imported.
custom_imports = dict(
    imports=['mtl_plugin', 'mmdet.engine.hooks', 'mmdet.visualization'],
    allow_failed_imports=False)
default_hooks = dict(
    # tools/test.py --show-dir turns draw on: detections with their scores.
    visualization=dict(type='DetVisualizationHook', draw=False,
                       score_thr=0.2))
visualizer = dict(type='DetLocalVisualizer')
