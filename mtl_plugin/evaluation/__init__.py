from .metrics import *  # noqa: F401,F403
from .shortcut_audit import run_shortcut_audit  # noqa: F401
