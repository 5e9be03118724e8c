"""The ``coverage-plan`` command line: argument parsing over library functions, nothing more.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a
``_cmd_<name>`` function that runs it. Only this module configures logging and progress
output; the library just logs.

Exit status: 0 done; 2 an error (a :class:`~coverage.errors.CoverageError`, its message on
stderr) or a usage error (argparse); :data:`EXIT_UNPROVEN` (3) when ``run`` wrote every
output of a plan that has warnings (:attr:`coverage.plan.Plan.warnings`), each logged as a
warning. A script can tell a plan to act on (0) from one to check first (3). Ctrl-C ends
with one line and :data:`EXIT_INTERRUPTED` (130), SIGTERM with :data:`EXIT_TERMINATED` (143);
either way the output folder holds the previous set, untouched.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from coverage.errors import CoverageError

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


def _cmd_run(args: argparse.Namespace) -> int:
    from coverage.outputs.outputset import check_output_folder
    from coverage.pipeline import plan_coverage, write_plan
    from coverage.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    check_output_folder(args.out if args.out is not None else scenario.out_dir)  # before work
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


def _add_viewshed(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "viewshed",
        help="viewshed of one observer on a projected DEM, as a 0/1 GeoTIFF",
        description=(
            "Compute which cells of DEM are visible from an observer at (X, Y), with Earth "
            "curvature and refraction (k), and write a 0/1 uint8 GeoTIFF on the DEM's grid. "
            "The DEM must be in a projected CRS in metres; reproject a geographic one first, "
            "e.g. `gdalwarp -t_srs EPSG:9377 -tr 30 30 -r bilinear IN OUT`."
        ),
    )
    p.add_argument("dem", help="DEM GeoTIFF in a projected CRS (metres)")
    p.add_argument("out", help="output GeoTIFF (1 visible, 0 not)")
    p.add_argument("--x", type=float, required=True, help="observer x in the DEM's CRS (m)")
    p.add_argument("--y", type=float, required=True, help="observer y in the DEM's CRS (m)")
    p.add_argument(
        "--observer-height", type=float, default=2.0, help="eye height above ground (m, 2)"
    )
    p.add_argument(
        "--target-height", type=float, default=0.0, help="target height above ground (m, 0)"
    )
    p.add_argument(
        "--max-distance", type=float, default=None, help="visibility radius (m, default none)"
    )
    p.add_argument("--k", type=float, default=4.0 / 3.0, help="effective Earth-radius factor (4/3)")
    p.set_defaults(func=_cmd_viewshed)


def _cmd_viewshed(args: argparse.Namespace) -> int:
    import numpy as np

    from coverage.inputs.rasters import write_grid
    from coverage.inputs.terrain import read_dem
    from coverage.radio.visibility import viewshed

    _refuse_overwriting_input(args.dem, args.out)
    terrain = read_dem(args.dem)
    visible = viewshed(
        terrain,
        args.x,
        args.y,
        observer_height_m=args.observer_height,
        target_height_m=args.target_height,
        max_distance_m=args.max_distance,
        k_factor=args.k,
    )
    out = write_grid(terrain, args.out, visible.view(np.uint8))
    log.info("viewshed: %d of %d cells visible -> %s", int(visible.sum()), visible.size, out)
    return 0


def _add_pathloss(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "pathloss",
        help="path loss from one site over a projected DEM, as a float32 GeoTIFF (dB)",
        description=(
            "Compute the basic transmission loss (dB) from a site at (X, Y) to every cell of DEM "
            "within --radius, with ITM (Longley-Rice), P.526 Deygout diffraction or free space, "
            "and write a float32 GeoTIFF on the DEM's grid (nodata outside the radius). The DEM "
            "must be in a projected CRS in metres."
        ),
    )
    p.add_argument("dem", help="DEM GeoTIFF in a projected CRS (metres)")
    p.add_argument("out", help="output GeoTIFF of path loss in dB (float32)")
    p.add_argument("--x", type=float, required=True, help="site x in the DEM's CRS (m)")
    p.add_argument("--y", type=float, required=True, help="site y in the DEM's CRS (m)")
    p.add_argument("--tx-height", type=float, required=True, help="site antenna height (m)")
    p.add_argument("--rx-height", type=float, required=True, help="receiver height (m)")
    p.add_argument("--f-mhz", type=float, required=True, help="frequency (MHz)")
    p.add_argument("--radius", type=float, required=True, help="prediction radius (m)")
    p.add_argument(
        "--model",
        choices=("itm", "deygout", "fspl"),
        default="itm",
        help="propagation model (default itm)",
    )
    p.add_argument("--k", type=float, default=4.0 / 3.0, help="k-factor for deygout (4/3)")
    p.add_argument(
        "--method",
        choices=("radial", "cell"),
        default="radial",
        help="radial: shared radial profiles, like SPLAT! (default); cell: one profile per cell",
    )
    p.set_defaults(func=_cmd_pathloss)


def _refuse_overwriting_input(dem: str, out: str) -> None:
    """Refuse an output raster that is the input DEM (the same file by any path)."""
    from pathlib import Path

    from coverage.errors import InputError

    a, b = Path(dem), Path(out)
    if a.exists() and b.exists() and a.samefile(b):  # any path, links included
        msg = f"The output {out} is the input DEM {dem}; give another output file."
        raise InputError(msg)


def _cmd_pathloss(args: argparse.Namespace) -> int:
    import numpy as np

    from coverage.inputs.rasters import write_grid
    from coverage.inputs.terrain import read_dem
    from coverage.radio.grid_prediction import predict_grid
    from coverage.radio.prediction import PredictionSettings
    from coverage.radio.propagation import get_model

    _refuse_overwriting_input(args.dem, args.out)
    terrain = read_dem(args.dem)
    pred = predict_grid(
        terrain,
        args.x,
        args.y,
        tx_height_m=args.tx_height,
        radius_m=args.radius,
        settings=PredictionSettings(
            f_mhz=args.f_mhz,
            rx_height_m=args.rx_height,
            model=get_model(args.model, k_factor=args.k)
            if args.model == "deygout"
            else get_model(args.model),
            grid_method=args.method,
        ),
    )
    nodata = -9999.0
    tags = {"model": pred.model, "units": "dB", "quantity": "basic transmission loss"}
    tags.update(
        {
            f"itm_warning_{i}": f"{k}: {v} cells"
            for i, (k, v) in enumerate(pred.warning_summary().items())
        }
    )
    out = write_grid(
        terrain,
        args.out,
        np.where(np.isfinite(pred.loss_db), pred.loss_db, nodata).astype(np.float32),
        nodata=nodata,
        tags=tags,
    )
    print(f"path loss ({pred.model}): {out}")
    return 0


def _add_validate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check a scenario and its input data without planning",
        description=(
            "Load the scenario and resolve its technology, antenna pattern, propagation model "
            "and costs; then find and verify every input layer, and check the layers and the "
            "DEM; report every problem at once."
        ),
    )
    p.add_argument("scenario", nargs="?", default=None, help="scenario TOML (default: Palmitas)")
    p.add_argument("--mirror", default=None, help="mirror folder of the input data")
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from coverage.pipeline import prepare_inputs, resolve
    from coverage.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    inputs = prepare_inputs(resolve(scenario), mirror=args.mirror)
    rows, cols = inputs.terrain.shape
    print(
        f"{scenario.name}: OK - {cols} x {rows} terrain cells, "
        f"{len(inputs.settlements.veredas)} veredas, {len(inputs.settlements.schools)} schools, "
        f"{len(inputs.demand)} demand points"
    )
    return 0


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_run,
    _add_validate,
    _add_viewshed,
    _add_pathloss,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``coverage-plan`` with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The parser of the global options (``-v``, ``-q``) and the subcommands ``run``,
        ``validate``, ``viewshed`` and ``pathloss``; each subcommand sets ``func``, the
        function that runs it. ``--help`` of the program and of ``run`` ends with the exit
        statuses.
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
