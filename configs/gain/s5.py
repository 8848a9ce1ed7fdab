# S5 = S4 + counterfactual loss: features under the defect mask suppressed ->
# cross-entropy toward "normal".
_base_ = ['./s4.py']

model = dict(loss_weights=dict(cf=0.1))
