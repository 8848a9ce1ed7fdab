from .cam_cls_head import CAMClsHead
from .gain_attention_head import GAINAttentionHead
from .gain_localization_head import GAINLocalizationHead
from .global_pool_cls_head import GlobalPoolClsHead
from .light_fine_level_retina_head import LightFineLevelRetinaHead
from .pooled_task_head import PooledTaskHead
from .temperature_retina_head import TemperatureRetinaHead
from .transposed_conv_seg_head import TransposedConvSegHead

__all__ = [
    'CAMClsHead', 'GAINAttentionHead', 'GAINLocalizationHead',
    'GlobalPoolClsHead', 'LightFineLevelRetinaHead', 'PooledTaskHead',
    'TemperatureRetinaHead', 'TransposedConvSegHead'
]
