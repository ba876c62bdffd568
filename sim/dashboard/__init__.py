"""`aisim dashboard [--port N] [--host H] [--no-open]`: serve the dashboard (sim/dashboard/app.py)
on localhost with Solara, offline and without telemetry."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import warnings

# Before solara is imported anywhere: its settings read the environment once.
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
# Mesa 3.3.1's SolaraViz breaks one of solara's rules of hooks, harmlessly: a warning at
# every start that users can do nothing about.
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early")
# Solara warns on the first page load from http://127.0.0.1 that iframe embedding needs https;
# the dashboard is not embedded.
warnings.filterwarnings("ignore", message=r"Cookies with samesite=none require https")

APP = "sim.dashboard.app"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + line
        print(f"aisim dashboard: error: {message}", file=sys.stderr)
        sys.exit(2)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: expected a whole number from 1 to 65535")
    return int(text)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="aisim dashboard",
                     description="Serve the interactive dashboard (Mesa SolaraViz) on localhost.")
    parser.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--no-open", dest="open", action="store_false",
                        help="do not open a browser")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(list(sys.argv[1:] if argv is None else argv))
    try:  # a busy port or a bad host: one line now rather than a traceback from the server
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as err:
        print(f"aisim dashboard: error: cannot listen on {args.host}:{args.port}: "
              f"{err.strerror or err}", file=sys.stderr)
        return 1
    from solara.__main__ import cli

    # --no-check-version: solara would ask PyPI for its latest version at every start.
    # --production: no auto-reload of the server on code changes.
    cli.main(["run", APP, "--host", args.host, "--port", str(args.port), "--production",
              "--no-check-version", "--open" if args.open else "--no-open"],
             prog_name="aisim dashboard", standalone_mode=False)
    return 0
