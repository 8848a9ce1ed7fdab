from .task_modules import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .batch_augments import *  # noqa: F401,F403
from .balancers import *  # noqa: F401,F403
from .detectors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
