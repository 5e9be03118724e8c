"""Public places where a community Wi-Fi hotspot may stand: the optional area layer ``plazas``.

A plaza layer is a point layer (any CRS a vector file carries; GeoJSON is WGS84) with one
feature per public place: a village square, a sports field, a community hall ("caseta
comunal"). Its name comes from the layer's ``name_field`` in the area file (default
``nombre``), its id from ``id_field`` (default: ``P01``, ``P02``, ... in file order). The
placement may then put a hotspot there as well as at a school
(:mod:`coverage.planning.hotspot`).

No public layer of Palmitas' plazas is known to this project (the DANE DIVIPOLA list of its
centros poblados has no coordinates), so the Palmitas area file names none and its plans
weigh school hotspots only; every output says so.

:func:`check_plazas` returns every problem as sentences naming the file, the feature and the
field (for :func:`coverage.pipeline.prepare.prepare_inputs`); :func:`load_plazas` reads the
table.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from coverage.errors import InputError
from coverage.inputs.settlements import check_vector_layer

__all__ = ["PLAZA_COLUMNS", "PLAZA_LAYER", "check_plazas", "load_plazas"]

log = logging.getLogger(__name__)

#: Key of the plaza layer in an area file's ``[layers]``.
PLAZA_LAYER = "plazas"
#: Columns of the plaza table (with Point geometry).
PLAZA_COLUMNS = ("plaza_id", "name")

_WHAT = "plazas layer"


def check_plazas(path: Path, *, name_field: str = "nombre", id_field: str = "") -> list[str]:
    """Every problem of a plaza layer, one sentence each (empty when usable).

    Parameters
    ----------
    path
        The layer's file.
    name_field
        The field holding each place's name (the area file's ``name_field``).
    id_field
        The id field (the area file's ``id_field``); "" for ``P01``, ``P02``, ...

    Returns
    -------
    list of str
        Sentences naming the file, the feature (0-based row) and the field, with the fix.
    """
    _plazas, problems = _read(path, name_field, id_field)
    return problems


def load_plazas(
    path: Path, crs: CRS | str, *, name_field: str = "nombre", id_field: str = ""
) -> gpd.GeoDataFrame:
    """Read a plaza layer into the hotspot option's table, in the working CRS.

    Parameters
    ----------
    path
        The layer's file.
    crs
        The working CRS (projected, metres).
    name_field
        The field holding each place's name.
    id_field
        The id field; "" for ``P01``, ``P02``, ... in file order.

    Returns
    -------
    gpd.GeoDataFrame
        One row per place, in file order: :data:`PLAZA_COLUMNS` and Point geometry in ``crs``.

    Raises
    ------
    InputError
        Every problem of the layer (:func:`check_plazas`), in one message.
    """
    plazas, problems = _read(path, name_field, id_field)
    if problems or plazas is None:
        msg = f"{_WHAT} {path} is not usable:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    log.info("plazas: %d from %s", len(plazas), path.name)
    return plazas.to_crs(crs)


def _read(path: Path, name_field: str, id_field: str) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """The table of the layer (in the file's CRS) and every problem found."""
    try:
        raw = gpd.read_file(path)
    except Exception as err:  # any reader failure is a problem of the file
        return None, [f"{_WHAT} {path}: cannot be read as a vector layer ({err})."]
    fields = (name_field,) + ((id_field,) if id_field else ())
    problems = check_vector_layer(raw, path, _WHAT, geom_types=("Point",), required_fields=fields)
    if problems:
        return None, problems
    names = raw[name_field].astype("string").str.strip()
    problems += [
        f"{_WHAT} {path}: feature {i} has no {name_field!r}; give every place a name, it "
        "labels the hotspot in the outputs."
        for i in names.index[names.isna() | (names == "")]
    ]
    if id_field:
        ids = raw[id_field].astype("string").str.strip()
        problems += [
            f"{_WHAT} {path}: feature {i} has no {id_field!r}; give every place an id."
            for i in ids.index[ids.isna() | (ids == "")]
        ]
        twice = ids[ids.duplicated(keep=False) & ids.notna()]
        if len(twice):
            problems.append(
                f"{_WHAT} {path}: {id_field!r} repeats {sorted(set(twice))}; ids must be unique."
            )
    else:
        ids = pd.Series([f"P{i + 1:02d}" for i in range(len(raw))], index=raw.index)
    if problems:
        return None, problems
    plazas = gpd.GeoDataFrame(
        {"plaza_id": ids.to_numpy(dtype=object), "name": names.to_numpy(dtype=object)},
        geometry=raw.geometry.to_numpy(),
        crs=raw.crs,
    )
    return plazas, []
