"""The ``coverage-plan`` command line: argument parsing over library functions, nothing more.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a
``_cmd_<name>`` function that runs it. Only this module configures logging and progress
output; the library just logs.

Every number option is checked by argparse: finite, and inside the range the scenario gives
the same quantity (:mod:`coverage.sections`), else a usage error naming the option.

Exit status: 0 done; 2 an error (a :class:`~coverage.errors.CoverageError`, its message on
stderr) or a usage error (argparse); :data:`EXIT_UNPROVEN` (3) when ``run`` wrote every
output of a plan that has warnings (:attr:`coverage.plan.Plan.warnings`), each logged as a
warning, and when ``region`` wrote every output and some territory's plan has warnings. A script can tell a plan to act on (0) from one to check first (3). Ctrl-C ends
with one line and :data:`EXIT_INTERRUPTED` (130), SIGTERM with :data:`EXIT_TERMINATED` (143);
either way the output folder holds the previous set, untouched.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from coverage._toml import Range
from coverage.errors import CoverageError
from coverage.sections import F_MHZ, K_FACTOR, MAST_HEIGHT_M, MAX_VOID_SHARE, RANGE_M, VOID_SHARE

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

#: An observer's or target's height above ground: the mast range, the ground itself included.
_ABOVE_GROUND_M = Range(0.0, MAST_HEIGHT_M.high, "m", MAST_HEIGHT_M.why)


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
    p.add_argument("out", help="output GeoTIFF (1 visible, 0 not), in an existing folder")
    p.add_argument("--x", type=_number(), required=True, help="observer x in the DEM's CRS (m)")
    p.add_argument("--y", type=_number(), required=True, help="observer y in the DEM's CRS (m)")
    p.add_argument(
        "--observer-height",
        type=_number(_ABOVE_GROUND_M),
        default=2.0,
        help=f"eye height above ground (m, 2; {_ABOVE_GROUND_M})",
    )
    p.add_argument(
        "--target-height",
        type=_number(_ABOVE_GROUND_M),
        default=0.0,
        help=f"target height above ground (m, 0; {_ABOVE_GROUND_M})",
    )
    p.add_argument(
        "--max-distance",
        type=_number(RANGE_M),
        default=None,
        help=f"visibility radius (m, default none; {RANGE_M})",
    )
    p.add_argument(
        "--k",
        type=_number(K_FACTOR),
        default=4.0 / 3.0,
        help=f"effective Earth-radius factor (4/3; {K_FACTOR})",
    )
    _add_void_share(p)
    p.set_defaults(func=_cmd_viewshed)


def _cmd_viewshed(args: argparse.Namespace) -> int:
    import numpy as np

    from coverage.inputs.dem import read_dem
    from coverage.inputs.rasters import write_grid
    from coverage.radio.visibility import viewshed

    _check_raster_output(args.dem, args.out)
    terrain = read_dem(args.dem, max_void_share=args.max_void_share)
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
    p.add_argument("out", help="output GeoTIFF of path loss in dB (float32), in an existing folder")
    p.add_argument("--x", type=_number(), required=True, help="site x in the DEM's CRS (m)")
    p.add_argument("--y", type=_number(), required=True, help="site y in the DEM's CRS (m)")
    for option, allowed, what in (
        ("--tx-height", MAST_HEIGHT_M, "site antenna height above ground (m"),
        ("--rx-height", MAST_HEIGHT_M, "receiver height above ground (m"),
        ("--f-mhz", F_MHZ, "frequency (MHz"),
        ("--radius", RANGE_M, "prediction radius (m"),
    ):
        p.add_argument(option, type=_number(allowed), required=True, help=f"{what}; {allowed})")
    p.add_argument(
        "--model",
        choices=("itm", "deygout", "fspl"),
        default="itm",
        help="propagation model (default itm)",
    )
    p.add_argument(
        "--k",
        type=_number(K_FACTOR),
        default=4.0 / 3.0,
        help=f"k-factor for deygout (4/3; {K_FACTOR})",
    )
    _add_void_share(p)
    p.add_argument(
        "--method",
        choices=("radial", "cell"),
        default="radial",
        help="radial: shared radial profiles, like SPLAT! (default); cell: one profile per cell",
    )
    p.set_defaults(func=_cmd_pathloss)


def _add_void_share(p: argparse.ArgumentParser) -> None:
    """The ``--max-void-share`` option of the raster commands (the area file's default)."""
    p.add_argument(
        "--max-void-share",
        type=_number(VOID_SHARE),
        default=MAX_VOID_SHARE,
        help=f"largest share of DEM cells that may be voids, filled from neighbours ({MAX_VOID_SHARE:g})",
    )


def _number(allowed: Range | None = None) -> Callable[[str], float]:
    """An argparse ``type``: a finite number, in ``allowed`` when given (a usage error if not)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            msg = f"{text!r} is not a finite number"
            raise argparse.ArgumentTypeError(msg)
        if allowed is not None and value not in allowed:
            raise argparse.ArgumentTypeError(allowed.problem(value))
        return value

    return parse


def _check_raster_output(dem: str, out: str) -> None:
    """Refuse, before any work, an output raster that cannot be written or is the input DEM.

    The output's folder must exist (a missing one is more often a typo than a wish, and
    :func:`coverage.inputs.rasters.write_grid` does not create it); ``run`` instead creates
    its output folder, which holds a whole set of files.
    """
    import os
    from pathlib import Path

    from coverage.errors import InputError

    a, b = Path(dem), Path(out)
    folder = b.parent
    if b.is_dir():
        msg = f"The output {out} is a folder; give the GeoTIFF file to write, e.g. {b / 'out.tif'}."
        raise InputError(msg)
    if not folder.is_dir():
        msg = (
            f"The folder {folder} of the output {out} does not exist; create it first "
            f"(mkdir -p {folder}) or give another output file."
        )
        raise InputError(msg)
    if not os.access(folder, os.W_OK | os.X_OK):
        msg = f"The folder {folder} of the output {out} is not writable; give another output file."
        raise InputError(msg)
    if a.exists() and b.exists() and a.samefile(b):  # any path, links included
        msg = f"The output {out} is the input DEM {dem}; give another output file."
        raise InputError(msg)


def _cmd_pathloss(args: argparse.Namespace) -> int:
    import numpy as np

    from coverage.inputs.dem import read_dem
    from coverage.inputs.rasters import write_grid
    from coverage.radio.grid_prediction import predict_grid
    from coverage.radio.prediction import PredictionSettings
    from coverage.radio.propagation import get_model

    _check_raster_output(args.dem, args.out)
    terrain = read_dem(args.dem, max_void_share=args.max_void_share)
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
    _add_viewshed,
    _add_pathloss,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``coverage-plan`` with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The parser of the global options (``-v``, ``-q``) and the subcommands ``run``,
        ``validate``, ``new-area``, ``region``, ``viewshed`` and ``pathloss``; each subcommand sets
        ``func``, the function that runs it. ``--help`` of the program and of ``run`` ends
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
