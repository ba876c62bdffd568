"""`aisim report SWEEP_DIR` (or `python -m sim.report SWEEP_DIR`): who wins, and why.

Reads a sweep folder's results.parquet (a row per run) and timeseries.parquet (every run's
firm rows per month) and writes to SWEEP_DIR/report/: each figure as PNG and SVG, the tables
behind the figures as CSV, and one self-contained report.html. Prints the HTML's path.

load.py reads the folder into a Sweep; stats.py computes the numbers; draw.py and figures.py
plot; page.py writes the page (report(), main()). Only draw.py and figures.py import
matplotlib, and only when report() runs: `import sim.report` and its loading and statistics
do without it.
"""

from .load import ReportError, Sweep, load, scenario_notes
from .page import USAGE, main, report
from .stats import ENTRANT, OUTCOMES, YEARS, bands, by_lab, drivers, leader_table, rates, wilson

__all__ = ["ENTRANT", "OUTCOMES", "USAGE", "YEARS", "ReportError", "Sweep", "bands", "by_lab",
           "drivers", "leader_table", "load", "main", "rates", "report", "scenario_notes",
           "wilson"]
