"""The ``coverage-plan`` command line: argument parsing over library functions, nothing more.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a
``_cmd_<name>`` function that runs it. Only this module configures logging and progress
output; the library just logs.

Every number option is checked by argparse: finite, and inside the range the scenario gives
the same quantity (:mod:`coverage.sections`), else a usage error naming the option. The
raster commands ``viewshed`` and ``pathloss`` are declared and run in
:mod:`coverage.cli_radio`.

Exit status: 0 done; 2 an error (a :class:`~coverage.errors.CoverageError`, its message on
stderr) or a usage error (argparse); :data:`EXIT_UNPROVEN` (3) when ``run`` wrote every
output of a plan that has warnings (:attr:`coverage.plan.Plan.warnings`), each logged as a
warning; and when ``region`` wrote every output and some territory's plan has warnings. A
script can tell a plan to act on (0) from one to check first (3). Ctrl-C ends with one line
and :data:`EXIT_INTERRUPTED` (130), SIGTERM with :data:`EXIT_TERMINATED` (143); either way
the output folder holds the previous set, untouched.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from coverage.cli_radio import add_pathloss, add_viewshed
from coverage.errors import CoverageError

if TYPE_CHECKING:
    from coverage.scenario import Scenario

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_UNPROVEN",
    "Terminated",
    "main",
    "stop_on_sigterm",
]

log = logging.getLogger("coverage.cli")

#: Exit status of ``coverage-plan run`` when every output was written but the plan has
#: warnings: the program cannot stand behind it as it is (a solver stopped before proving
#: its target gap, a fallback plan). 0 is a plan without warnings, 2 an error.
EXIT_UNPROVEN = 3
#: Exit status after Ctrl-C (SIGINT), as shells report it (128 + 2).
EXIT_INTERRUPTED = 130
#: Exit status after SIGTERM (128 + 15).
EXIT_TERMINATED = 143

#: The exit statuses, for ``--help``.
_EPILOG = (
    "exit status: 0 done; 2 an error (message on stderr) or a usage error; "
    f"{EXIT_UNPROVEN} (run) every output was written, but the plan has warnings (logged, and "
    "shown first in every output): check them before acting on the plan; "
    f"{EXIT_INTERRUPTED} interrupted, {EXIT_TERMINATED} terminated (previous outputs kept)"
)

Command = Callable[[argparse.Namespace], int]


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run a coverage plan from a scenario (default: the Palmitas scenario)",
        description="Run a full coverage plan and write the map, rasters, layers and summaries.",
        epilog=_EPILOG,
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


def _checked_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario of ``run`` or ``validate``, loaded, with its output folder checked.

    The checks ``run`` makes before planning; ``validate`` makes the same ones, so that a
    scenario it calls OK does not fail on them in ``run``.
    """
    from coverage.outputs.outputset import check_output_folder
    from coverage.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    check_output_folder(args.out if args.out is not None else scenario.out_dir)  # before work
    return scenario


def _cmd_run(args: argparse.Namespace) -> int:
    from coverage.pipeline import plan_coverage, write_plan

    scenario = _checked_scenario(args)
    plan = plan_coverage(scenario, mirror=args.mirror, progress=not args.quiet)
    outputs = write_plan(plan, out_dir=args.out)
    for kind, path in outputs.items():
        print(f"{kind:>10}: {path}")
    return _plan_status(plan.warnings)


def _plan_status(warnings: tuple[str, ...]) -> int:
    """Log each warning of a plan written; 0 when there are none, else :data:`EXIT_UNPROVEN`."""
    for warning in warnings:
        log.warning("%s", warning)
    return EXIT_UNPROVEN if warnings else 0


def _add_validate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check a scenario and its input data without planning",
        description=(
            "Make every check `run` makes before planning: load the scenario, check its "
            "output folder (or --out), resolve its technology, antenna pattern, propagation "
            "model and costs; then find and verify every input layer, and check the layers "
            "and the DEM; report every problem at once."
        ),
    )
    p.add_argument("scenario", nargs="?", default=None, help="scenario TOML (default: Palmitas)")
    p.add_argument(
        "--out", default=None, help="output folder `run --out` would get (default: the scenario's)"
    )
    p.add_argument("--mirror", default=None, help="mirror folder of the input data")
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from coverage.pipeline import prepare_inputs, resolve

    scenario = _checked_scenario(args)  # what run checks first, then what planning checks first
    inputs = prepare_inputs(resolve(scenario), mirror=args.mirror)
    rows, cols = inputs.terrain.shape
    print(
        f"{scenario.name}: OK - {cols} x {rows} terrain cells, "
        f"{len(inputs.settlements.veredas)} veredas, {len(inputs.settlements.schools)} schools, "
        f"{len(inputs.demand)} demand points"
    )
    return 0


def _add_new_area(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new-area",
        help="build an area folder (area.toml, scenario.toml, layers, DEM) from public layers",
        description=(
            "Read a request file naming a territory's boundary, sub-districts, schools, DEM "
            "tiles, point of presence and optionally dwellings and projection tables "
            "(coverage/inputs/arearequest.py documents the keys; docs/territory.md has an "
            "example); check them together and write an area folder that `validate` and "
            "`run` load with no edits."
        ),
    )
    p.add_argument("request", help="request TOML (paths inside relative to it)")
    p.add_argument("out", help="area folder to write (created)")
    p.set_defaults(func=_cmd_new_area)


def _cmd_new_area(args: argparse.Namespace) -> int:
    from pathlib import Path

    from coverage.inputs.arearequest import read_request
    from coverage.inputs.newarea import new_area

    built = new_area(read_request(args.request), Path(args.out))
    f = built.figures
    print(
        f"{built.area.parent}: {f.area_km2:.1f} km2, {f.n_subdivisions} sub-districts, "
        f"{f.n_schools} schools, {f.households:,.0f} households, {f.people:,.0f} people"
    )
    for note in built.notes:
        print(f"note: {note}")
    print(f"next: coverage-plan validate {built.scenario}")
    return 0


def _add_region(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "region",
        help="plan several territories (a region file) on a dask cluster",
        description=(
            "Plan every area of a region file (one base scenario, per-area overrides; "
            "docs/region.toml) as tasks on a dask.distributed cluster: a local one by "
            "default, or a running scheduler (--scheduler). Writes each territory's outputs "
            "into OUT/<territory>/ and the region's tables, report and map into OUT."
        ),
        epilog=_EPILOG,
    )
    p.add_argument("region", help="region TOML (its scenario and areas relative to it)")
    p.add_argument(
        "--scheduler",
        default=None,
        help="address of a running dask scheduler, e.g. tcp://host:8786 (default: the region "
        "file's scheduler, else a local cluster); its workers must see the data and OUT",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help="worker processes of the local cluster, one thread each (default: the region "
        "file's, 2)",
    )
    p.add_argument(
        "--serial", action="store_true", help="no cluster: plan one territory after the other here"
    )
    p.add_argument("--out", default=None, help="output folder (default: the region file's)")
    p.add_argument("--mirror", default=None, help="mirror folder of the input data")
    p.set_defaults(func=_cmd_region)


def _workers(text: str) -> int:
    """An argparse ``type``: a worker count of 1-64 (a usage error if not)."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 64:
        msg = f"{text!r} is not a worker count of 1-64"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _cmd_region(args: argparse.Namespace) -> int:
    from coverage.outputs.outputset import check_output_folder
    from coverage.pipeline.cluster import region_client
    from coverage.pipeline.region import plan_region, write_region
    from coverage.pipeline.regionfile import load_region

    region = load_region(args.region)
    out = args.out if args.out is not None else region.out_dir
    check_output_folder(out)  # before work, as run does
    if not args.verbose:  # dask's own INFO lines (scheduler, nannies) drown the plan's
        import distributed  # noqa: F401  (its import sets its loggers' levels: quiet them after)

        for name in ("distributed", *logging.root.manager.loggerDict):
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.WARNING)
    if args.serial:
        result = plan_region(region, None, out_dir=out, mirror=args.mirror)
    else:
        scheduler = args.scheduler if args.scheduler is not None else region.scheduler
        with region_client(scheduler, workers=args.workers or region.workers) as client:
            result = plan_region(region, client, out_dir=out, mirror=args.mirror)
    for kind, path in write_region(result, out).items():
        print(f"{kind:>12}: {path}")
    for o in result.outcomes:
        print(f"{o.name:>12}: {o.out_dir} (status {o.exit_status})")
    return _plan_status(result.warnings)


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_run,
    _add_validate,
    _add_new_area,
    _add_region,
    add_viewshed,
    add_pathloss,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``coverage-plan`` with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The parser of the global options (``-v``, ``-q``) and the subcommands ``run``,
        ``validate``, ``new-area``, ``region``, ``viewshed`` and ``pathloss``; each subcommand
        sets ``func``, the function that runs it. ``--help`` of the program and of ``run`` ends
        with the exit statuses.
    """
    parser = argparse.ArgumentParser(
        prog="coverage-plan",
        description="Plan rural wireless coverage: sites, backhaul, coverage maps, gap reports.",
        epilog=_EPILOG,
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
    """Entry point of ``coverage-plan``: parse the arguments, set up logging, run a subcommand.

    Parameters
    ----------
    argv
        The arguments after the program name, e.g. ``["run", "--out", "maps"]``; None
        (default): ``sys.argv[1:]``.

    Returns
    -------
    int
        The process exit code: 0 on success; 2 when the subcommand raised a
        :class:`~coverage.errors.CoverageError`, whose message is printed to stderr;
        :data:`EXIT_UNPROVEN` (3) when ``run`` wrote every output of a plan that has
        warnings, after logging each of them as a warning; :data:`EXIT_INTERRUPTED` (130)
        after Ctrl-C and :data:`EXIT_TERMINATED` (143) after SIGTERM, with one line on
        stderr.

    Raises
    ------
    SystemExit
        From argparse: status 2 on a usage error, 0 after ``--help``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)  # a library's warnings as log lines, not raw text on stderr
    func: Command = args.func
    previous = stop_on_sigterm()
    try:
        return func(args)
    except CoverageError as err:
        print(f"coverage-plan: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coverage-plan: interrupted; the previous outputs are as they were.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("coverage-plan: terminated; the previous outputs are as they were.", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """Raised by the SIGTERM handler of :func:`stop_on_sigterm`, so that clean-up runs."""


def stop_on_sigterm() -> Any:
    """Make SIGTERM raise :class:`Terminated` (clean-up blocks run, as for Ctrl-C).

    Returns
    -------
    Any
        The previous SIGTERM handler, to restore with :func:`signal.signal`.
    """

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    return signal.signal(signal.SIGTERM, _raise)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
