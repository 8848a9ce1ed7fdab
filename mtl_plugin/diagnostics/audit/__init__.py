"""``audit``: static checks of a config, no data and no training needed.

One module per check family, each adding findings to a :class:`Report`:

* :mod:`.normalization`: ``data_preprocessor`` mean/std and channel flip vs
  the order the images arrive in (mmcv decodes BGR) and vs the backbone's
  pretraining convention when an ``init_cfg`` names a checkpoint;
* :mod:`.classes`: dataset metainfo vs every ``num_classes`` of the heads and
  metrics, train vs val vs test class lists;
* :mod:`.ignore_index`: ``ignore_index`` of heads/losses, datasets and
  metrics (segmentation);
* :mod:`.pipelines`: train vs test pipeline: resize scale, keep_ratio,
  normalisation, random augmentations left in the test pipeline,
  ``reduce_zero_label``;
* :mod:`.optimization`: learning rate, weight decay, batch size, BatchNorm
  with batch 1, ``auto_scale_lr`` base batch, schedulers that never run.
"""
from mmengine.config import Config

from ..findings import Report
from .classes import check_classes
from .ignore_index import check_ignore_index
from .normalization import check_normalization, pretraining_convention
from .optimization import check_optimization
from .pipelines import check_pipelines

CHECKS = (check_normalization, check_classes, check_ignore_index,
          check_pipelines, check_optimization)


def audit(cfg: Config) -> Report:
    """Run every static check on ``cfg`` and return the report."""
    report = Report('audit')
    for check in CHECKS:
        check(cfg, report)
    return report


__all__ = ['audit', 'CHECKS', 'check_normalization', 'check_classes',
           'check_ignore_index', 'check_pipelines', 'check_optimization',
           'pretraining_convention']
