"""Root of the source checkout, for the scripts under ``benchmarks/``.

They read configs and run the tools by path; they run from a checkout with the
package installed in editable mode (as ``tools/install.sh`` installs it), where
the package directory sits at the repository root.
"""
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
