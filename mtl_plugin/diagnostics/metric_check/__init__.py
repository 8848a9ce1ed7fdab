"""``metrics``: the configured evaluator vs independent references on
synthetic predictions with known answers (see :mod:`.cross_check`)."""
from .cross_check import metric_check

__all__ = ['metric_check']
