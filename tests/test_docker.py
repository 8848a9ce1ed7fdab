"""docker/Dockerfile installs the same pinned versions as the local installer.

No Docker engine runs on the CI machines, so this checks the file itself: the
image must install through tools/install.sh (which reads requirements/*.txt)
and must not pin or install any part of the stack on its own.
"""
import os.path as osp
import re
import subprocess

from mtl_test_utils import REPO

DOCKERFILE = osp.join(REPO, 'docker', 'Dockerfile')
STACK = ('torch', 'torchvision', 'mmcv', 'mmengine', 'mmdet', 'mmsegmentation',
         'mmpretrain', 'pycocotools')


def _instructions():
    text = open(DOCKERFILE).read().replace('\\\n', ' ')
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.strip().startswith('#')]


def _installer_versions():
    out = subprocess.run(['bash', osp.join(REPO, 'tools', 'install.sh'),
                          '--print-versions'], capture_output=True, text=True,
                         check=True).stdout
    return out


def test_installer_versions_come_from_requirements():
    out = _installer_versions()
    torch_req = [ln.strip() for ln in open(osp.join(REPO, 'requirements', 'torch.txt'))
                 if ln.strip() and not ln.startswith('#')]
    assert f"torch: {' '.join(torch_req)}" in out
    for line in open(osp.join(REPO, 'requirements', 'runtime.txt')):
        line = line.split('#')[0].strip()
        if '==' in line and not line.startswith('torch'):
            assert f'runtime: {line}' in out
    assert 'mmcv: 2.1.0' in out and 'runtime: mmdet==3.3.0' in out


def test_dockerfile_installs_through_the_installer_only():
    instr = _instructions()
    runs = [i for i in instr if i.startswith('RUN')]
    assert any('tools/install.sh' in r for r in runs)
    copies = ' '.join(i for i in instr if i.startswith('COPY'))
    assert 'requirements/' in copies and 'tools/install.sh' in copies
    for run in runs:
        # no package of the stack installed or pinned outside the installer
        if 'pip' in run:
            for pkg in STACK:
                assert not re.search(rf'\b{pkg}\b', run), run


def test_dockerfile_builds_mmcv_cuda_ops_for_configurable_archs():
    instr = _instructions()
    args = {m.group(1): m.group(2) for i in instr
            for m in [re.match(r'ARG (\w+)(?:=(.*))?', i)] if m}
    assert 'TORCH_CUDA_ARCH_LIST' in args and args['TORCH_CUDA_ARCH_LIST']
    env = ' '.join(i for i in instr if i.startswith('ENV'))
    assert 'MTL_MMCV_CUDA=1' in env
    assert 'TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}' in env
    base = args['BASE_IMAGE']
    assert re.match(r'nvidia/cuda:[\d.]+-(cudnn-)?devel-', base), base
    # torch's CUDA major version (PyPI wheels of the pinned torch) matches the
    # base image's nvcc, needed to compile mmcv's CUDA ops.
    assert base.split(':')[1].split('.')[0] == '13'
