# Uncertainty weighting (Kendall et al. 2018): learned log-variances per task.
_base_ = './multitask-fixed.py'
model = dict(balancer=dict(_delete_=True, type='UncertaintyBalancer'))
