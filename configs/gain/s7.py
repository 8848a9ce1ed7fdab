# S7 = S3 + counterfactual loss (no localization head).
_base_ = ['./s3.py']

model = dict(loss_weights=dict(cf=0.1))
