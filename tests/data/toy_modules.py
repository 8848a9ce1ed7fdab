"""Tiny dataset and model for the tool tests (distributed run, resume).

They are imported by tests/data/configs/toy_train.py through custom_imports,
with tests/data on PYTHONPATH, so that torchrun'd processes can build them.
The model records the dataset indices it trained on, per rank, to check that
distributed ranks see different data.
"""
import os

import torch
from mmengine.dataset import BaseDataset
from mmengine.dist import get_rank
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement

from mtl_plugin.registry import DATASETS, MODELS


@DATASETS.register_module()
class ToyRegressionDataset(BaseDataset):
    """``length`` samples: ``inputs`` (4,) float, target = sum of inputs."""

    def __init__(self, length: int = 64, **kwargs):
        self.length = length
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self):
        gen = torch.Generator().manual_seed(0)
        return [dict(idx=i, x=torch.randn(4, generator=gen))
                for i in range(self.length)]

    def prepare_data(self, idx):
        info = self.get_data_info(idx)
        sample = BaseDataElement(metainfo=dict(idx=info['idx']))
        sample.target = info['x'].sum().view(1)
        return dict(inputs=info['x'], data_samples=sample)


@MODELS.register_module()
class ToyRecorderModel(BaseModel):
    """Linear regressor that appends the indices it trains on to
    ``<record_dir>/seen_rank<rank>.txt``."""

    def __init__(self, record_dir: str = '', **kwargs):
        super().__init__(**kwargs)
        self.fc = torch.nn.Linear(4, 1)
        self.record_dir = record_dir

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, (list, tuple)) else inputs
        pred = self.fc(x)
        if mode == 'tensor':
            return pred
        target = torch.stack([s.target for s in data_samples])
        if mode == 'loss':
            if self.record_dir:
                os.makedirs(self.record_dir, exist_ok=True)
                path = os.path.join(self.record_dir, f'seen_rank{get_rank()}.txt')
                with open(path, 'a') as f:
                    f.writelines(f'{s.idx}\n' for s in data_samples)
            return dict(loss=((pred - target) ** 2).mean())
        for s, p in zip(data_samples, pred):
            s.pred = p
        return data_samples


from mmengine.hooks import Hook  # noqa: E402

from mtl_plugin.registry import HOOKS  # noqa: E402


@HOOKS.register_module()
class SlowDownHook(Hook):
    """Sleeps after every iteration so a test can kill the run mid-way."""

    def __init__(self, seconds: float = 0.1):
        self.seconds = seconds

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        import time
        time.sleep(self.seconds)


from mmengine.evaluator import BaseMetric  # noqa: E402

from mtl_plugin.registry import METRICS  # noqa: E402


@METRICS.register_module()
class ToyMSEMetric(BaseMetric):
    """Mean squared error of ToyRecorderModel's predictions."""
    default_prefix = 'toy'

    def process(self, data_batch, data_samples):
        for s in data_samples:
            self.results.append(float((s['pred'] - s['target']) ** 2))

    def compute_metrics(self, results):
        return dict(mse=sum(results) / len(results))
