from .attention_guidance_loss import AttentionGuidanceLoss
from .attention_mining_loss import AttentionMiningLoss
from .cam_guidance_loss import CAMGuidanceLoss
from .counterfactual_loss import CounterfactualLoss
from .float32_loss import Float32Loss
from .map_consistency_loss import MapConsistencyLoss
from .off_mask_evidence_loss import OffMaskEvidenceLoss

__all__ = [
    'AttentionGuidanceLoss', 'AttentionMiningLoss', 'CAMGuidanceLoss',
    'CounterfactualLoss', 'Float32Loss', 'MapConsistencyLoss',
    'OffMaskEvidenceLoss'
]
