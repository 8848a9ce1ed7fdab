"""The documentation matches the code: README's layout block names every
package folder, and no document points at a config or module that is gone."""
import os
import os.path as osp
import re

from mtl_test_utils import REPO

PACKAGE = osp.join(REPO, 'mtl_plugin')
DOCS = ['README.md', 'configs/gain/README.md', 'configs/multitask/README.md',
        'configs/retail/README.md'] + [
            osp.join('docs', f) for f in os.listdir(osp.join(REPO, 'docs'))
            if f.endswith('.md')] + [
            osp.join('docs', 'results', f)
            for f in os.listdir(osp.join(REPO, 'docs', 'results')) if f.endswith('.md')]


def _section(text, title):
    start = text.index(f'## {title}')
    end = text.find('\n## ', start + 1)
    return text[start:end if end > 0 else len(text)]


def test_readme_layout_names_every_package_folder():
    layout = _section(open(osp.join(REPO, 'README.md')).read(), 'Layout')
    block = layout.split('```')[1]
    folders = sorted(d for d in os.listdir(PACKAGE)
                     if osp.isfile(osp.join(PACKAGE, d, '__init__.py')))
    missing = [d for d in folders if not re.search(rf'\b{d}/', block)]
    assert not missing, f'README.md "Layout" does not name mtl_plugin/{missing}'
    for tool in ('infer.py', 'train.py', 'test.py', 'deployment/', 'misc/'):
        assert tool in block, tool
    for doc in ('gpu.md', 'faults.md', 'results/'):
        assert doc in block, doc


# a repository path: not inside another path (``<work_dir>/configs/s1.py``,
# ``tests/data/configs/...``), not another project's (``configs/unet/...``)
PATH = (r'(?<![\w/.-])((?:configs/(?:gain|multitask|retail|_base_)|tools|benchmarks)'
        r'/[\w./-]+\.(?:py|sh))')


def test_every_config_path_in_the_docs_exists():
    """A ``configs/...py`` or ``tools/...py`` path written in a document is a
    file of the repository (renamed configs leave no stale name behind)."""
    stale = []
    for doc in DOCS:
        text = open(osp.join(REPO, doc)).read()
        for path in re.findall(PATH, text):
            if not osp.isfile(osp.join(REPO, path)):
                stale.append(f'{doc}: {path}')
    assert not stale, stale
