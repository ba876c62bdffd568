"""`python -m sim`: the same as the `aisim` command (see sim/cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
