"""`python -m sim.report SWEEP_DIR`: the same as `aisim report SWEEP_DIR`."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
