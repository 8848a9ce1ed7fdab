from .cam_cls_head import CAMClsHead
from .dense_retina_head import DenseRetinaHead
from .gain_attention_head import GAINAttentionHead
from .gain_localization_head import GAINLocalizationHead
from .global_pool_cls_head import GlobalPoolClsHead
from .pooled_task_head import PooledTaskHead
from .transposed_conv_seg_head import TransposedConvSegHead

__all__ = [
    'CAMClsHead', 'DenseRetinaHead', 'GAINAttentionHead',
    'GAINLocalizationHead', 'GlobalPoolClsHead', 'PooledTaskHead',
    'TransposedConvSegHead'
]
