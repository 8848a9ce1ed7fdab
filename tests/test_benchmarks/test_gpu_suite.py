"""benchmarks/gpu_suite.sh --dry-run runs every step on the CPU and prints one
table; what needs a GPU is reported as skipped. The table builder reports
missing and failed steps as such."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

from mtl_test_utils import REPO, tool_env


def _table_module():
    path = osp.join(REPO, 'benchmarks', 'gpu_suite_table.py')
    spec = importlib.util.spec_from_file_location('gpu_suite_table', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dry_run_exercises_every_step(tmp_path):
    out = tmp_path / 'suite'
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'benchmarks', 'gpu_suite.sh'), '--dry-run',
         '--python', sys.executable, '--out', str(out)],
        cwd=REPO, env=tool_env(), capture_output=True, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    steps = {line.split('\t')[0]: int(line.split('\t')[1])
             for line in (out / 'steps.tsv').read_text().splitlines()}
    assert steps == dict(install=0, throughput=0, assigner=0, trace=0), steps
    table = (out / 'table.md').read_text()
    assert table in proc.stdout

    rows = json.loads((out / 'throughput.json').read_text())['rows']
    seen = {(r['workload'], r['dtype'], r['subject']): r for r in rows}
    for name in ('gain', 'multitask', 'retail'):
        for subject in ('model', 'backbone'):
            for dtype in ('float32', 'bfloat16'):
                row = seen[(name, dtype, subject)]
                assert row['images_per_s'] > 0, row
                assert row['device'] == 'cpu'
            # CPU float16 is skipped with its reason, not timed
            skipped = seen[(name, 'float16', subject)]
            assert skipped['skipped'].startswith('CPU: float16')
            assert 'images_per_s' not in skipped
    assert seen[('retail', 'bfloat16', 'model')]['autocast'] == \
        'torch.autocast(cpu)'

    assign = json.loads((out / 'assigner.json').read_text())
    assert {r['method'] for r in assign} == {'ours', 'maxiou'}
    assert all(r['assign_s'] > 0 and r['num_pos'] > 0 for r in assign)

    trace = json.loads((out / 'trace.json').read_text())['rows']
    assert [r['workload'] for r in trace] == ['gain', 'multitask', 'retail']
    # no CUDA here: the comparison is skipped, never reported as equal
    assert all(r['status'] == 'skipped' for r in trace), trace
    assert 'equal' not in table
    assert table.count('| train |') == 9 and table.count('| assign |') == 1


def test_table_reports_missing_and_failed_steps(tmp_path):
    table = _table_module()
    (tmp_path / 'steps.tsv').write_text('install\t0\t3\nthroughput\t124\t240\n')
    (tmp_path / 'install.json').write_text(json.dumps(
        dict(how='--wheels w', status='ok: 21 wheels', versions='torch 2.11')))
    (tmp_path / 'trace.json').write_text(json.dumps(dict(rows=[dict(
        workload='gain', status='DIFFERENT', max_rel_diff=0.2,
        tolerance=0.01, image_size=256, other_errors=[])])))
    text = table.build_table(str(tmp_path))
    assert '| install | --wheels w | - | ok: 21 wheels | torch 2.11 |' in text
    assert 'FAILED (timed out after 240 s; see throughput.log)' in text
    assert '| assigner | - | - | not run |' in text
    assert 'DIFFERENT (max relative difference 0.2)' in text


def test_table_ratio_is_model_over_backbone(tmp_path):
    table = _table_module()
    row = dict(workload='gain', dtype='bfloat16', device='cuda', width=512,
               height=512, batch=16)
    (tmp_path / 'throughput.json').write_text(json.dumps(dict(rows=[
        dict(row, subject='model', images_per_s=100.0, peak_mem_gb=20.0),
        dict(row, subject='backbone', images_per_s=160.0, peak_mem_gb=8.0),
    ])))
    text = table.build_table(str(tmp_path))
    assert ('| train | gain 512x512 batch 16 (cuda) | bfloat16 | 100.0 img/s '
            '| backbone alone: 160.0 img/s, ratio 0.62 | model 20.0 GB, '
            'backbone 8.0 GB |') in text
