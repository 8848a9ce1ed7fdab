import importlib.util
import json
import os.path as osp

import pytest
import torch
from mmengine.evaluator import DumpResults, Evaluator

from mtl_plugin.structures import MultiTaskDataSample

from mtl_test_utils import REPO

# thresholds of these scores (see tests/test_evaluation/test_operating_point.py)
#   t     .9   .8   .6   .4   .3   .1
#   TP    1    2    3    4    4    4
#   FP    0    1    1    2    3    4
SCORE = [0.9, 0.8, 0.8, 0.6, 0.4, 0.4, 0.3, 0.1]
LABEL = [1, 1, 0, 1, 0, 1, 0, 0]


def _tool():
    path = osp.join(REPO, 'tools', 'analysis', 'defect_threshold.py')
    spec = importlib.util.spec_from_file_location('defect_threshold', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dump(path, scores=SCORE, labels=LABEL, thr=0.5):
    """A dump written by mmengine's DumpResults, as tools/test.py --out does."""
    samples = []
    for i, (p, y) in enumerate(zip(scores, labels)):
        s = MultiTaskDataSample(metainfo=dict(img_path=f'img_{i}.png'))
        s.pred_score = torch.tensor([1 - p, p])
        s.pred_label = torch.tensor([int(p >= thr)])
        s.gt_label = torch.tensor([y])
        samples.append(s)
    ev = Evaluator([DumpResults(out_file_path=str(path))])
    ev.process(samples)
    ev.evaluate(len(samples))
    return str(path)


@pytest.mark.parametrize('args, thr, counts', [
    (['--target-recall', '0.7'], 0.6, (3, 1, 1, 3)),
    (['--target-recall', '1'], 0.4, (4, 2, 0, 2)),
    (['--max-f1'], 0.4, (4, 2, 0, 2)),
    (['--target-fpr', '0.25'], 0.6, (3, 1, 1, 3)),
    (['--target-fpr', '0'], 0.9, (1, 0, 3, 4)),
])
def test_threshold_choice_and_printout(tmp_path, capsys, args, thr, counts):
    pkl = _dump(tmp_path / 'preds.pkl')
    out_json = tmp_path / 'thr.json'
    _tool().main([pkl, *args, '--json', str(out_json)])
    text = capsys.readouterr().out
    scores32 = torch.tensor(SCORE).tolist()  # the dump holds float32 scores
    expected = min(scores32, key=lambda s: abs(s - thr))
    assert f'--cfg-options model.test_cfg.score_thr={expected!r}' in text
    result = json.loads(out_json.read_text())
    assert (result['tp'], result['fp'], result['fn'], result['tn']) == counts
    assert result['threshold'] == expected
    # the model's decision at 0.5: TP 3, FP 1 (same as threshold .6)
    current = [line for line in text.splitlines() if line.startswith('| current')]
    assert current and current[0].split(' | ')[2:6] == ['3', '1', '1', '3']


def test_threshold_reproduces_counts_through_the_model_rule(tmp_path, capsys):
    pkl = _dump(tmp_path / 'preds.pkl')
    tool = _tool()
    tool.main([pkl, '--max-f1', '--json', str(tmp_path / 'r.json')])
    thr = json.loads((tmp_path / 'r.json').read_text())['threshold']
    # GAINMTL flags P(defect) >= score_thr on float32 scores
    flagged = (torch.tensor(SCORE) >= thr).tolist()
    assert sum(f and y for f, y in zip(flagged, LABEL)) == 4
    assert sum(f and not y for f, y in zip(flagged, LABEL)) == 2


def test_bad_inputs_are_named(tmp_path):
    tool = _tool()
    with pytest.raises(SystemExit, match='needs both'):
        tool.main([_dump(tmp_path / 'one.pkl', [0.2, 0.7], [1, 1]), '--max-f1'])
    with pytest.raises(FileNotFoundError, match='tools/test.py'):
        tool.main([str(tmp_path / 'missing.pkl'), '--max-f1'])
    with pytest.raises(SystemExit):  # argparse: a fraction is expected
        tool.main([_dump(tmp_path / 'p.pkl'), '--target-recall', '95'])
