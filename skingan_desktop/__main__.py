"""``python -m skingan_desktop``: the same as the ``skingan-desktop`` command.

The import is absolute because PyInstaller's bundle runs this file as a top-level script, where
a relative import has no package to be relative to.
"""

import sys

from skingan_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
