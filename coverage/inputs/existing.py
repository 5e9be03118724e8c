"""Existing service: the mobile sites people already have, read from the area layer ``existing_sites``.

The layer is optional. It is a point layer (any CRS a vector file carries; GeoJSON is WGS84)
with one feature per site and, by default, the fields of the OpenCelliD-derived Palmitas
file: ``operador`` (operator) and ``tecnologia`` (the best technology seen: "LTE", "UMTS",
"GSM"). A site's height (m) and conducted transmit power (dBm) come from the layer when the
scenario names those fields (``[existing] height_field``, ``power_field``), else from the
``[existing]`` defaults, which also give each technology's antenna gain (dBi) and frequency
(MHz): :class:`~coverage.sections.ExistingParams` lists them with their sources. A site's id
comes from the layer's ``id_field`` in the area file, else ``X01``, ``X02``, ... in file order.

Positions from OpenCelliD are estimates: the average of where phones measured each cell,
pulled toward where people are, not surveyed mast coordinates. The table says so
(``estimated``) and every output repeats it.

:func:`check_existing_sites` returns every problem as sentences naming the file, the
feature and the field (for :func:`coverage.pipeline.prepare.prepare_inputs`, which reports
them with the other layers' problems); :func:`load_existing_sites` reads the table.
:func:`with_existing_columns` and :func:`targeted` are what later stages use on the demand
points.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from coverage.errors import InputError
from coverage.inputs.settlements import check_vector_layer
from coverage.scenario import ExistingParams
from coverage.sections import MAST_HEIGHT_M, TX_POWER_DBM

__all__ = [
    "EXISTING_COLUMNS",
    "EXISTING_LAYER",
    "SITE_COLUMNS",
    "check_existing_sites",
    "load_existing_sites",
    "targeted",
    "with_existing_columns",
]

log = logging.getLogger(__name__)

#: Key of the existing-sites layer in an area file's ``[layers]``.
EXISTING_LAYER = "existing_sites"
#: Demand columns of the existing service and their values where no existing site serves.
EXISTING_COLUMNS: dict[str, object] = {
    "existing_dbm": np.nan,  # strongest received power from an existing site (dBm)
    "existing_site": "",  # the site giving it
    "existing_operator": "",  # its operator
    "served_existing": False,  # existing_dbm >= the access technology's threshold
}
#: Columns of the existing-sites table, before the prediction adds ``predicted``.
SITE_COLUMNS = (
    "site_id",
    "operator",
    "technology",
    "height_m",
    "tx_power_dbm",
    "antenna_gain_dbi",
    "f_mhz",
    "estimated",
)

_WHAT = "existing-sites layer"


def check_existing_sites(path: Path, params: ExistingParams, *, id_field: str = "") -> list[str]:
    """Every problem of an existing-sites layer, one sentence each (empty when usable).

    Parameters
    ----------
    path
        The layer's file.
    params
        The scenario's ``[existing]`` section: field names and per-technology defaults.
    id_field
        The site-id field (the area file's ``id_field`` of the layer); "" for none.

    Returns
    -------
    list of str
        Sentences naming the file, the feature (0-based row) and the field, with the fix.
    """
    _sites, problems = _read(path, params, id_field)
    return problems


def load_existing_sites(
    path: Path, crs: CRS | str, params: ExistingParams, *, id_field: str = ""
) -> gpd.GeoDataFrame:
    """Read an existing-sites layer into the table the prediction uses, in the working CRS.

    Parameters
    ----------
    path
        The layer's file.
    crs
        The working CRS (projected, metres).
    params
        The scenario's ``[existing]`` section: field names and per-technology defaults.
    id_field
        The site-id field (the area file's ``id_field`` of the layer); "" for ``X01``, ...

    Returns
    -------
    gpd.GeoDataFrame
        One row per site, in file order: :data:`SITE_COLUMNS` (``height_m`` in m,
        ``tx_power_dbm`` in dBm, ``antenna_gain_dbi`` in dBi, ``f_mhz`` in MHz, ``estimated``
        from ``[existing] positions_estimated``) and Point geometry in ``crs``.

    Raises
    ------
    InputError
        Every problem of the layer (:func:`check_existing_sites`), in one message.
    """
    sites, problems = _read(path, params, id_field)
    if problems or sites is None:
        msg = f"{_WHAT} {path} is not usable:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    log.info("existing sites: %d from %s", len(sites), path.name)
    return sites.to_crs(crs)


def _read(
    path: Path, params: ExistingParams, id_field: str
) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """The table of the layer (WGS84 or the file's CRS) and every problem found."""
    try:
        raw = gpd.read_file(path)
    except Exception as err:  # any reader failure is a problem of the file
        return None, [f"{_WHAT} {path}: cannot be read as a vector layer ({err})."]
    where = f"{_WHAT} {path}"
    ids_needed = (id_field,) if id_field else ()
    problems = check_vector_layer(
        raw, path, _WHAT, geom_types=("Point",), required_fields=ids_needed
    )
    problems += _missing_fields(where, raw, params)
    if problems:
        return None, problems
    technology = raw[params.technology_field].astype("string").str.strip().str.upper()
    problems += _technology_problems(where, technology, params)
    height, more = _numbers(where, raw, params.height_field, params.height_m, MAST_HEIGHT_M)
    problems += more
    tech = technology.fillna("").to_numpy(dtype=object)
    default_power = np.array([params.tx_power_dbm.get(t, np.nan) for t in tech], dtype=float)
    power, more = _numbers(where, raw, params.power_field, default_power, TX_POWER_DBM)
    problems += more
    ids, more = _site_ids(where, raw, id_field)
    problems += more
    if problems:
        return None, problems
    operator = raw[params.operator_field].astype("string").fillna("").str.strip()
    sites = gpd.GeoDataFrame(
        {
            "site_id": ids,
            "operator": operator.to_numpy(dtype=object),
            "technology": tech,
            "height_m": height,
            "tx_power_dbm": power,
            "antenna_gain_dbi": [float(params.antenna_gain_dbi[t]) for t in tech],
            "f_mhz": [float(params.f_mhz[t]) for t in tech],
            "estimated": np.full(len(raw), params.positions_estimated),
        },
        geometry=raw.geometry.to_numpy(),
        crs=raw.crs,
    )
    return sites, []


def _missing_fields(where: str, raw: gpd.GeoDataFrame, params: ExistingParams) -> list[str]:
    """A sentence per field ``[existing]`` names that the layer lacks."""
    available = [c for c in raw.columns if c != "geometry"]
    return [
        f"{where}: no field {name!r} ([existing] {key}); available: {available}. Set "
        f"[existing] {key} to the layer's field" + ("." if key in _REQUIRED else ' or to "".')
        for key in (*_REQUIRED, "height_field", "power_field")
        if (name := getattr(params, key)) and name not in raw.columns
    ]


_REQUIRED = ("operator_field", "technology_field")


def _technology_problems(where: str, technology: pd.Series, params: ExistingParams) -> list[str]:
    """A sentence per feature whose technology is missing or lacks a default of ``[existing]``."""
    problems = []
    field = params.technology_field
    for row, tech in enumerate(technology):
        if pd.isna(tech) or not tech:
            problems.append(
                f"{where}: feature {row} has no {field!r}; give its technology (LTE, UMTS, "
                "GSM) or remove the feature."
            )
            continue
        lacking = [
            key
            for key in ("tx_power_dbm", "antenna_gain_dbi", "f_mhz")
            if tech not in getattr(params, key)
        ]
        if lacking:
            problems.append(
                f"{where}: feature {row} field {field!r} is {tech!r}, which [existing] "
                f"{', '.join(lacking)} do not give; add {tech} to them in the scenario."
            )
    return problems


def _numbers(
    where: str,
    raw: gpd.GeoDataFrame,
    field: str,
    default: float | NDArray[np.float64],
    allowed: Container[object],
) -> tuple[NDArray[np.float64], list[str]]:
    """A number per feature: field ``field`` where given, else ``default``; bad values named."""
    out = np.broadcast_to(np.asarray(default, dtype=np.float64), (len(raw),)).copy()
    if not field:
        return out, []
    values = pd.to_numeric(raw[field], errors="coerce").to_numpy(dtype=np.float64)
    given = raw[field].notna().to_numpy()
    written = raw[field].tolist()  # as Python values, for the messages
    problems = [
        f"{where}: feature {row} field {field!r} is {written[row]!r}, not a number in "
        f"{allowed}; correct it or leave it empty for the [existing] default."
        for row in np.flatnonzero(given)
        if values[row] not in allowed
    ]
    out[given] = values[given]
    return out, problems


def _site_ids(where: str, raw: gpd.GeoDataFrame, id_field: str) -> tuple[list[str], list[str]]:
    """The sites' ids: field ``id_field`` (unique, not empty), else ``X01``, ``X02``, ..."""
    if not id_field:
        width = max(2, len(str(len(raw))))
        return [f"X{i + 1:0{width}d}" for i in range(len(raw))], []
    ids = raw[id_field].astype("string").fillna("").str.strip()
    problems = [
        f"{where}: feature {row} has an empty {id_field!r}; give every site an id."
        for row in np.flatnonzero((ids == "").to_numpy())
    ]
    dup = sorted(set(ids[ids.duplicated() & (ids != "")]))
    if dup:
        problems.append(f"{where}: field {id_field!r} repeats the ids {dup[:5]}; make them unique.")
    return ids.tolist(), problems


def with_existing_columns(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The demand points with every column of :data:`EXISTING_COLUMNS`, blank where missing.

    Parameters
    ----------
    demand
        Demand points, with or without the existing-service columns.

    Returns
    -------
    gpd.GeoDataFrame
        A copy; a missing column is added with its "no existing service" value (NaN dBm,
        "", False), present columns are kept.
    """
    out = demand.copy()
    for name, blank in EXISTING_COLUMNS.items():
        if name not in out.columns:
            out[name] = blank
    out["served_existing"] = out["served_existing"].astype(bool)
    return out


def targeted(demand: gpd.GeoDataFrame, target: str) -> NDArray[np.bool_]:
    """The demand points the placement plans for: all, or those no existing site serves.

    Parameters
    ----------
    demand
        Demand points; with ``target`` "unserved" they need ``served_existing``
        (:func:`coverage.pipeline.existing.existing_service` adds it).
    target
        ``[existing] target``: "everyone" or "unserved".

    Returns
    -------
    NDArray[np.bool_]
        True for each demand point the placement counts.

    Raises
    ------
    InputError
        ``target`` is "unserved" but the demand points have no ``served_existing`` column.
    """
    if target != "unserved":
        return np.ones(len(demand), dtype=bool)
    if "served_existing" not in demand.columns:
        msg = (
            "[existing] target = 'unserved', but the demand points have no served_existing "
            "column: run coverage.pipeline.existing_service(resolved, inputs) after "
            "prepare_inputs (plan_coverage does)."
        )
        raise InputError(msg)
    return ~demand["served_existing"].to_numpy(dtype=bool)
