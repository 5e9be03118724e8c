"""The raster commands of ``coverage-plan``: ``viewshed`` and ``pathloss``, as their peers' users expect.

What a SPLAT! or ``gdal_viewshed`` user looks for, on the command line of
:mod:`coverage.cli` (which registers these two commands and runs them):

* every ITM parameter settable (``--n0``, ``--climate``, ``--permittivity``,
  ``--conductivity``, ``--polarization``, ``--time-pct``, ``--location-pct``,
  ``--situation-pct``, ``--mdvar``), or read from SPLAT!'s ``.lrp`` file (``--lrp``;
  :mod:`coverage.radio.lrp`), the options overriding the file;
* a DEM in a geographic CRS (SRTM tiles, EPSG:4326) reprojected to the UTM zone of its
  centre or to ``--crs`` (:func:`coverage.inputs.dem.read_dem`), and sites given as
  ``--lon/--lat`` as well as ``--x/--y``;
* ``--png`` and ``--kml`` beside the GeoTIFF (:mod:`coverage.outputs.overlay`);
* ``--sites FILE``: a CSV of sites (:mod:`coverage.inputs.sitelist`) computed in one process,
  one GeoTIFF per site in the output folder, and for ``viewshed`` an optional ``--count``
  raster of how many sites see each cell.

Every number option is checked by argparse (finite, inside its range, a usage error naming
the option); what argparse cannot check (which options go together) is an
:class:`~coverage.errors.InputError` before the DEM is read.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coverage._toml import Range
from coverage.errors import InputError
from coverage.radio.lrp import CONDUCTIVITY_S_M, N0_N_UNITS, PERMITTIVITY, QUANTILE_PCT
from coverage.sections import F_MHZ, K_FACTOR, MAST_HEIGHT_M, MAX_VOID_SHARE, RANGE_M, VOID_SHARE

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from coverage.inputs.sitelist import SiteRow
    from coverage.inputs.terrain import Terrain
    from coverage.outputs.overlay import Legend
    from coverage.radio.itm import ItmSettings

__all__ = ["add_pathloss", "add_viewshed"]

log = logging.getLogger("coverage.cli")

Subparsers = argparse._SubParsersAction  # argparse has no public name for it

#: An observer's or target's height above ground: the mast range, the ground itself included.
_ABOVE_GROUND_M = Range(0.0, MAST_HEIGHT_M.high, "m", MAST_HEIGHT_M.why)

#: The ITM options: (option, destination, ItmSettings field).
_ITM_OPTIONS = (
    ("--n0", "n0", "n0"),
    ("--climate", "climate", "climate"),
    ("--permittivity", "permittivity", "permittivity"),
    ("--conductivity", "conductivity", "conductivity_s_m"),
    ("--polarization", "polarization", "polarization"),
    ("--time-pct", "time_pct", "time_pct"),
    ("--location-pct", "location_pct", "location_pct"),
    ("--situation-pct", "situation_pct", "situation_pct"),
    ("--mdvar", "mdvar", "mdvar"),
)
#: ITM's modes of variability: 0-3, plus 10 (no location variability) and/or 20 (no direct
#: situation variability), as :class:`~coverage.radio.itm.ItmSettings` takes them.
_MDVAR_CODES = tuple(base + extra for extra in (0, 10, 20, 30) for base in range(4))


def _number(allowed: Range | None = None) -> Callable[[str], float]:
    """An argparse ``type``: a finite number, in ``allowed`` when given (a usage error if not).

    Parameters
    ----------
    allowed
        The range the number must lie in; None: any finite number.

    Returns
    -------
    callable
        The parser of one option's text.
    """

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


def _climate(text: str) -> int:
    from coverage.radio.lrp import climate_code

    try:
        return climate_code(text)
    except InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _add_common(p: argparse.ArgumentParser, what: str) -> None:
    """The DEM, the output, the site's position or sites file, the CRS and the pictures."""
    p.add_argument("dem", help="DEM GeoTIFF: projected in metres, or geographic (reprojected)")
    p.add_argument(
        "out",
        help=f"output GeoTIFF ({what}) in an existing folder; with --sites, that folder",
    )
    where = p.add_argument_group("site position (one of --x/--y, --lon/--lat, --sites)")
    where.add_argument("--x", type=_number(), help="site x in the working CRS (m)")
    where.add_argument("--y", type=_number(), help="site y in the working CRS (m)")
    where.add_argument(
        "--lon", type=_number(Range(-180, 180, "deg", "a longitude")), help="site longitude (deg)"
    )
    where.add_argument(
        "--lat", type=_number(Range(-90, 90, "deg", "a latitude")), help="site latitude (deg)"
    )
    where.add_argument(
        "--sites",
        default=None,
        help="CSV of sites (columns name, x, y or lon, lat, height_m; optionally f_mhz): "
        "one GeoTIFF per site, named by site, in the folder OUT",
    )
    p.add_argument(
        "--crs",
        default=None,
        help="projected CRS to work in (e.g. EPSG:9377); default: the DEM's, or the UTM "
        "zone of its centre for a geographic DEM",
    )
    p.add_argument("--png", action="store_true", help="also write a PNG (EPSG:4326) beside it")
    p.add_argument("--kml", action="store_true", help="also write a KML ground overlay + PNG")
    p.add_argument(
        "--max-void-share",
        type=_number(VOID_SHARE),
        default=MAX_VOID_SHARE,
        help=f"largest share of DEM cells that may be voids, filled from neighbours ({MAX_VOID_SHARE:g})",
    )


def add_viewshed(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Declare ``coverage-plan viewshed``.

    Parameters
    ----------
    sub
        The subcommands of the program's parser.
    """
    p = sub.add_parser(
        "viewshed",
        help="viewshed of one observer (or a CSV of them) on a DEM, as a 0/1 GeoTIFF",
        description=(
            "Compute which cells of DEM are visible from an observer, with Earth curvature and "
            "refraction (k), and write a 0/1 uint8 GeoTIFF on the DEM's grid. A geographic "
            "DEM is reprojected to metres first (--crs, or the UTM zone of its centre)."
        ),
    )
    _add_common(p, "1 visible, 0 not")
    p.add_argument(
        "--observer-height",
        type=_number(_ABOVE_GROUND_M),
        default=2.0,
        help=f"eye height above ground (m, 2; {_ABOVE_GROUND_M}); --sites: height_m",
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
    p.add_argument(
        "--count",
        default=None,
        help="with --sites: also write this GeoTIFF of how many sites see each cell (uint16)",
    )
    p.set_defaults(func=_cmd_viewshed)


def add_pathloss(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Declare ``coverage-plan pathloss``.

    Parameters
    ----------
    sub
        The subcommands of the program's parser.
    """
    p = sub.add_parser(
        "pathloss",
        help="path loss from one site (or a CSV of them) over a DEM, as a float32 GeoTIFF (dB)",
        description=(
            "Compute the basic transmission loss (dB) from a site to every cell of DEM within "
            "--radius, with ITM (Longley-Rice), P.526 Deygout diffraction or free space, and "
            "write a float32 GeoTIFF on the DEM's grid (nodata outside the radius). ITM's "
            "settings come from its options, over a SPLAT! .lrp file (--lrp), over ITM's "
            "defaults (N0 360 N-units, equatorial climate, average ground 15 / 0.005 S/m, "
            "vertical polarization, mdvar 1, 50 % time, location and situation)."
        ),
    )
    _add_common(p, "path loss in dB, float32")
    for option, allowed, what in (
        ("--tx-height", MAST_HEIGHT_M, "site antenna height above ground (m; --sites: height_m"),
        ("--rx-height", MAST_HEIGHT_M, "receiver height above ground (m"),
        ("--f-mhz", F_MHZ, "frequency (MHz; default the .lrp's; --sites: f_mhz"),
        ("--radius", RANGE_M, "prediction radius (m"),
    ):
        p.add_argument(option, type=_number(allowed), help=f"{what}; {allowed})")
    p.add_argument("--model", choices=("itm", "deygout", "fspl"), default="itm", help="model (itm)")
    p.add_argument("--k", type=_number(K_FACTOR), default=None, help=f"deygout k (4/3; {K_FACTOR})")
    p.add_argument(
        "--method",
        choices=("radial", "cell"),
        default="radial",
        help="radial: shared radial profiles, like SPLAT! (default); cell: one profile per cell",
    )
    itm = p.add_argument_group("ITM settings (--model itm; ranges: NTIA ITM's input limits)")
    itm.add_argument("--lrp", default=None, help="SPLAT! .lrp file; the options below override it")
    itm.add_argument(
        "--n0", type=_number(N0_N_UNITS), help=f"surface refractivity (360; {N0_N_UNITS})"
    )
    itm.add_argument(
        "--climate", type=_climate, help="radio climate: 1-7 or its name (1 equatorial)"
    )
    itm.add_argument(
        "--permittivity", type=_number(PERMITTIVITY), help=f"ground's (15; {PERMITTIVITY})"
    )
    itm.add_argument(
        "--conductivity",
        type=_number(CONDUCTIVITY_S_M),
        help=f"ground's (0.005; {CONDUCTIVITY_S_M})",
    )
    itm.add_argument("--polarization", choices=("horizontal", "vertical"), help="(vertical)")
    for option in ("--time-pct", "--location-pct", "--situation-pct"):
        help_text = f"quantile (50; {QUANTILE_PCT})".replace("%", "%%")  # argparse %-formats help
        itm.add_argument(option, type=_number(QUANTILE_PCT), help=help_text)
    itm.add_argument(
        "--mdvar",
        type=int,
        choices=_MDVAR_CODES,
        metavar="MDVAR",
        help="mode of variability (1): 0 single message, 1 accidental, 2 mobile, 3 broadcast "
        "(only 3 uses --location-pct); +10 no location variability, +20 no direct situation "
        "variability. NTIA's ITM 1.2.2 point_to_point, which SPLAT! calls, uses 12",
    )
    p.set_defaults(func=_cmd_pathloss)


@dataclass(frozen=True)
class _Site:
    """One site to compute: its name, position (m, working CRS), height (m), frequency (MHz)."""

    name: str
    x: float
    y: float
    height_m: float
    f_mhz: float | None
    out: Path


def check_raster_output(dem: str, out: str) -> None:
    """Refuse, before any work, an output raster that cannot be written or is the input DEM.

    The output's folder must exist (a missing one is more often a typo than a wish, and
    :func:`coverage.inputs.rasters.write_grid` does not create it); ``run`` instead creates
    its output folder, which holds a whole set of files.

    Parameters
    ----------
    dem
        The input DEM's path.
    out
        The output GeoTIFF's path.

    Raises
    ------
    InputError
        The output is a folder, in a missing or read-only folder, or the DEM itself.
    """
    a, b = Path(dem), Path(out)
    if b.is_dir():
        msg = f"The output {out} is a folder; give the GeoTIFF file to write, e.g. {b / 'out.tif'}."
        raise InputError(msg)
    _check_folder(b.parent, f"The folder {b.parent} of the output {out}")
    if a.exists() and b.exists() and a.samefile(b):  # any path, links included
        msg = f"The output {out} is the input DEM {dem}; give another output file."
        raise InputError(msg)


def _check_folder(folder: Path, what: str) -> None:
    if not folder.is_dir():
        msg = (
            f"{what} does not exist; create it first (mkdir -p {folder}) or give another "
            "output file."
        )
        raise InputError(msg)
    if not os.access(folder, os.W_OK | os.X_OK):
        msg = f"{what} is not writable; give another output file."
        raise InputError(msg)


def _check_position(args: argparse.Namespace) -> None:
    """Exactly one of --x/--y, --lon/--lat and --sites, each pair whole; --count with --sites."""
    forms = [
        name
        for name, given in (
            ("--x/--y", args.x is not None or args.y is not None),
            ("--lon/--lat", args.lon is not None or args.lat is not None),
            ("--sites", args.sites is not None),
        )
        if given
    ]
    for a, b in (("x", "y"), ("lon", "lat")):
        if (getattr(args, a) is None) != (getattr(args, b) is None):
            msg = f"--{a} and --{b} go together; give both."
            raise InputError(msg)
    if len(forms) != 1:
        msg = (
            f"Give the site as one of --x/--y, --lon/--lat or --sites FILE; got {forms or 'none'}."
        )
        raise InputError(msg)
    if getattr(args, "count", None) is not None and args.sites is None:
        msg = "--count counts the sites of --sites FILE; give --sites, or leave --count out."
        raise InputError(msg)
    if getattr(args, "count", None) is not None:
        count = Path(args.count)
        _check_folder(count.parent, f"The folder {count.parent} of --count {count}")
    if args.sites is not None:
        out = Path(args.out)
        _check_folder(out, f"The output folder {out} (of --sites)")
    else:
        check_raster_output(args.dem, args.out)


def _planned(
    args: argparse.Namespace, height_m: float | None, f_mhz: bool
) -> list[tuple[SiteRow, Path]]:
    """The sites to compute, each with its output file, before the DEM is read."""
    from coverage.inputs.sitelist import SiteRow, read_site_list
    from coverage.outputs.text import safe_text

    if args.sites is None:
        geographic = args.lon is not None
        x, y = (args.lon, args.lat) if geographic else (args.x, args.y)
        rows = [SiteRow(Path(args.out).stem, x, y, geographic, height_m or 0.0)]
    else:
        rows = read_site_list(args.sites, height=_ABOVE_GROUND_M, f_mhz=F_MHZ if f_mhz else None)
    outs: list[Path] = []
    files: dict[str, str] = {}
    for r in rows:  # every name first: a clash is found before a site off the DEM
        stem = safe_text(r.name, "file_name")
        if stem.lower() in files:
            msg = (
                f"Sites {files[stem.lower()]!r} and {r.name!r} would both write {stem}.tif "
                "(file names keep letters, digits, '-', '_' and '.'); rename one."
            )
            raise InputError(msg)
        files[stem.lower()] = r.name
        outs.append(Path(args.out) if args.sites is None else Path(args.out) / f"{stem}.tif")
    return list(zip(rows, outs, strict=True))


def _placed(planned: list[tuple[SiteRow, Path]], terrain: Terrain) -> list[_Site]:
    """The sites in the terrain's CRS (m), each checked to lie on it."""
    from pyproj import Transformer

    to_grid = Transformer.from_crs("EPSG:4326", terrain.crs, always_xy=True)
    sites = []
    for r, out in planned:
        x, y = to_grid.transform(r.x, r.y) if r.geographic else (r.x, r.y)
        if not terrain.contains(x, y):
            xmin, ymin, xmax, ymax = terrain.bounds
            msg = (
                f"Site {r.name!r} at ({x:.0f}, {y:.0f}) in {terrain.crs.to_string()} lies "
                f"outside the DEM ({xmin:.0f}-{xmax:.0f}, {ymin:.0f}-{ymax:.0f})."
            )
            if not r.geographic and abs(x) <= 180 and abs(y) <= 90:
                msg += " If these are longitude and latitude, give degrees as --lon/--lat."
            raise InputError(msg)
        sites.append(_Site(r.name, float(x), float(y), r.height_m, r.f_mhz, out))
    return sites


def _terrain(args: argparse.Namespace) -> Terrain:
    from coverage.inputs.dem import read_dem

    return read_dem(args.dem, max_void_share=args.max_void_share, crs=args.crs)


def _pictures(
    args: argparse.Namespace, terrain: Terrain, tif: Path, name: str, legend: Legend
) -> None:
    """The PNG (and KML) of ``--png`` / ``--kml`` beside the GeoTIFF ``tif``."""
    from coverage.outputs.overlay import write_overlay

    if args.png or args.kml:
        kml = tif.with_suffix(".kml") if args.kml else None
        for path in write_overlay(terrain, legend, tif.with_suffix(".png"), kml, name=name):
            log.info("%s: %s", name, path)


def _cmd_viewshed(args: argparse.Namespace) -> int:
    import numpy as np

    from coverage.inputs.rasters import write_grid
    from coverage.outputs.overlay import count_legend, visible_legend
    from coverage.radio.visibility import viewshed

    _check_position(args)
    planned = _planned(args, args.observer_height, f_mhz=False)
    terrain = _terrain(args)
    sites = _placed(planned, terrain)
    count = np.zeros(terrain.shape, dtype=np.uint16)
    for site in sites:
        visible = viewshed(
            terrain,
            site.x,
            site.y,
            observer_height_m=site.height_m,
            target_height_m=args.target_height,
            max_distance_m=args.max_distance,
            k_factor=args.k,
        )
        count += visible
        tags = {
            "quantity": "visible (1) or not (0)",
            "site": site.name,
            "observer_height_m": f"{site.height_m:g}",
            "target_height_m": f"{args.target_height:g}",
            "k_factor": f"{args.k:.6g}",
        }
        out = write_grid(terrain, site.out, visible.view(np.uint8), tags=tags)
        log.info(
            "viewshed %s: %d of %d cells visible -> %s",
            site.name,
            int(visible.sum()),
            visible.size,
            out,
        )
        _pictures(args, terrain, site.out, site.name, visible_legend(visible))
    if args.count is not None:
        path = Path(args.count)
        write_grid(terrain, path, count, tags={"quantity": "sites that see the cell"})
        log.info("viewshed: count of %d sites -> %s", len(sites), path)
        _pictures(args, terrain, path, path.stem, count_legend(count))
    return 0


def _itm_settings(args: argparse.Namespace) -> tuple[ItmSettings | None, float | None]:
    """ITM's settings (defaults, then the .lrp file, then the options) and the .lrp's MHz."""
    from coverage.radio.itm import ItmSettings
    from coverage.radio.lrp import read_lrp, unused_quantiles

    given = {field: getattr(args, dest) for _, dest, field in _ITM_OPTIONS}
    given = {k: v for k, v in given.items() if v is not None}
    if args.model != "itm":
        named = [o for o, dest, _ in _ITM_OPTIONS if getattr(args, dest) is not None]
        if named or args.lrp:
            msg = f"{', '.join(named + (['--lrp'] if args.lrp else []))}: ITM's settings; use --model itm."
            raise InputError(msg)
        return None, None
    fields: dict[str, Any] = {}
    f_mhz = None
    if args.lrp is not None:
        lrp = read_lrp(args.lrp)
        fields.update(lrp.itm_fields())
        f_mhz = lrp.f_mhz
        log.info("ITM settings from %s: %s, %g MHz", args.lrp, fields, f_mhz)
        if lrp.erp_w is not None:
            log.info(
                "%s: its ERP (%g W) is not used: pathloss writes the loss, not a field strength",
                args.lrp,
                lrp.erp_w,
            )
    fields.update(given)
    settings = ItmSettings(**fields)
    for field in unused_quantiles(settings, given):
        log.warning(
            "--%s %g is not used: ITM's mode of variability %d ignores it (--mdvar 3, "
            "broadcast, takes time, location and situation apart)",
            field.replace("_", "-"),
            given[field],
            settings.mdvar,
        )
    return settings, f_mhz


def _cmd_pathloss(args: argparse.Namespace) -> int:
    from coverage.radio.prediction import PredictionSettings
    from coverage.radio.propagation import ItmModel, PropagationModel, get_model

    _check_position(args)
    missing = [
        o for o, v in (("--rx-height", args.rx_height), ("--radius", args.radius)) if v is None
    ]
    if args.tx_height is None and args.sites is None:
        missing.append("--tx-height")
    if missing:
        msg = f"pathloss needs {', '.join(missing)}."
        raise InputError(msg)
    if args.k is not None and args.model != "deygout":
        msg = "--k is the k-factor of --model deygout; ITM's earth comes from --n0."
        raise InputError(msg)
    itm_settings, lrp_f_mhz = _itm_settings(args)
    if itm_settings is not None:
        model: PropagationModel = ItmModel(itm_settings)
    elif args.model == "deygout":
        model = get_model("deygout", k_factor=4.0 / 3.0 if args.k is None else args.k)
    else:
        model = get_model(args.model)
    planned = _planned(args, args.tx_height, f_mhz=True)
    terrain = _terrain(args)
    default_f = args.f_mhz if args.f_mhz is not None else lrp_f_mhz
    for site in _placed(planned, terrain):
        f_mhz = site.f_mhz if site.f_mhz is not None else default_f
        if f_mhz is None:
            msg = f"Site {site.name!r} has no frequency: give --f-mhz, --lrp or an f_mhz column."
            raise InputError(msg)
        settings = PredictionSettings(
            f_mhz=f_mhz, rx_height_m=args.rx_height, model=model, grid_method=args.method
        )
        _one_pathloss(args, terrain, site, settings)
    return 0


def _one_pathloss(args: argparse.Namespace, terrain: Terrain, site: _Site, settings: Any) -> None:
    import numpy as np

    from coverage.inputs.rasters import write_grid
    from coverage.outputs.overlay import loss_legend
    from coverage.radio.grid_prediction import predict_grid

    pred = predict_grid(
        terrain, site.x, site.y, tx_height_m=site.height_m, radius_m=args.radius, settings=settings
    )
    nodata = -9999.0
    tags = {
        "model": pred.model,
        "units": "dB",
        "quantity": "basic transmission loss",
        "site": site.name,
        "f_mhz": f"{settings.f_mhz:g}",
        "tx_height_m": f"{site.height_m:g}",
        "rx_height_m": f"{settings.rx_height_m:g}",
    }
    tags.update(
        {
            f"itm_warning_{i}": f"{k}: {v} cells"
            for i, (k, v) in enumerate(pred.warning_summary().items())
        }
    )
    loss: NDArray[np.float32] = pred.loss_db
    out = write_grid(
        terrain,
        site.out,
        np.where(np.isfinite(loss), loss, nodata).astype(np.float32),
        nodata=nodata,
        tags=tags,
    )
    print(f"path loss ({pred.model}): {out}")
    _pictures(args, terrain, site.out, site.name, loss_legend(loss))
