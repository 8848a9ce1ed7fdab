# As retinanet-dense_r50_fpn_1x_sku110k.py, keeping up to 400 detections per
# image (SKU-110K val images hold up to 759 products).
_base_ = './retinanet-dense_r50_fpn_1x_sku110k.py'
model = dict(test_cfg=dict(max_per_img=400, nms_pre=3000))
