"""``python -m skingan_desktop``: the same as the ``skingan-desktop`` command."""

import sys

from .cli import main

sys.exit(main())
