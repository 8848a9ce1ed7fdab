"""Root of the source checkout, for the scripts under ``benchmarks/``.

They read configs and run the tools by path, so they run from a checkout.
A script started as ``python benchmarks/<name>.py`` finds this module beside
it (its folder is first on ``sys.path``); the test suite adds the folder
through ``pythonpath`` in ``pytest.ini``.
"""
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
