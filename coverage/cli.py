"""The ``coverage-plan`` command line: argument parsing over library functions, nothing more.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a
``_cmd_<name>`` function that runs it. Only this module configures logging and progress
output; the library just logs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from coverage.errors import CoverageError

__all__ = ["main"]

log = logging.getLogger("coverage.cli")

Command = Callable[[argparse.Namespace], int]


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run a coverage plan from a scenario (default: the Palmitas scenario)",
        description="Run a full coverage plan and write the map, rasters, layers and summaries.",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario TOML file (default: the bundled Palmitas scenario)",
    )
    p.add_argument("--out", default=None, help="output folder (default: the scenario's, maps/)")
    p.add_argument(
        "--mirror",
        default=None,
        help="local mirror folder of the input data (default: $COVERAGE_DATA_MIRROR)",
    )
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from coverage.pipeline import run_scenario

    outputs = run_scenario(
        args.scenario, out_dir=args.out, mirror=args.mirror, progress=not args.quiet
    )
    for kind, path in outputs.items():
        print(f"{kind:>10}: {path}")
    return 0


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_run,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``coverage-plan`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="coverage-plan",
        description="Plan rural wireless coverage: sites, backhaul, coverage maps, gap reports.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only warnings and errors; no progress bars"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coverage-plan``; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    func: Command = args.func
    try:
        return func(args)
    except CoverageError as err:
        print(f"coverage-plan: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
