"""Install mtl_plugin. Requirements come from requirements/*.txt (one source of
truth shared with tools/install.sh and docker/Dockerfile)."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_requirements(name: str) -> list:
    """Return the requirement lines of requirements/<name>.txt (comments dropped)."""
    with open(os.path.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = [ln.split('#', 1)[0].strip() for ln in f]
    return [ln for ln in lines if ln]


def get_version() -> str:
    with open(os.path.join(HERE, 'mtl_plugin', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


setup(
    name='mtl_plugin',
    version=get_version(),
    description='OpenMMLab plugin for multi-task vision: GAIN-MTL defect '
    'inspection, multi-task detector-segmentor, dense retail detection, '
    'pipeline diagnostics',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks')),
    python_requires='>=3.8,<3.13',
    install_requires=parse_requirements('runtime'),
    extras_require={
        'tests': parse_requirements('tests'),
        'optional': parse_requirements('optional'),
        'deploy': parse_requirements('deploy'),
    },
    license='Apache-2.0',
    zip_safe=False,
)
