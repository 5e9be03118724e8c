"""The request file of ``coverage-plan new-area``: a territory's layers, named in TOML.

A request file keeps the recipe of an area folder beside the folder it builds, so that the
folder can be rebuilt when the sources change. Paths are relative to the request file::

    name = "Altavista"
    subdivision_word = "vereda"
    dems = ["../shared/data/palmitas/dem/medellin_dem_srtm1.tif"]
    vintages = { actualizacion_2025 = 2025, post_covid_19 = 2021 }

    [boundary]
    path = "corregimientos.geojson"
    where = { codigo = "70" }

    [subdivisions]
    path = "veredas.geojson"
    where = { corregimiento = "70" }
    id_field = "codigo"

    [schools]
    path = "schools.geojson"
    where = { corregimiento = "70" }

    [pop]
    name = "PoP"
    lon_deg = -75.63
    lat_deg = 6.22
    source = "the operator's fibre node, as surveyed"

    [households]            # optional, as [population] and [dwellings]
    path = "households.csv"
    rows = { indicador = "hogares", area_geografica = "Total" }
    key_field = "codigo"

Every key is a field of :class:`~coverage.inputs.newarea.NewAreaRequest`,
:class:`~coverage.inputs.newarea.LayerInput` or :class:`~coverage.inputs.newarea.TableInput`.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from coverage._toml import read_toml
from coverage.errors import ScenarioError
from coverage.inputs.newarea import LayerInput, NewAreaRequest, TableInput
from coverage.sections import Point

__all__ = ["read_request"]

_LAYERS = ("boundary", "subdivisions", "schools", "dwellings")
_TABLES = ("households", "population")
_SCALARS = {
    "name": str,
    "subdivision_word": str,
    "people": float,
    "household_count": float,
    "year": int,
    "crs": str,
    "margin_m": float,
}


def read_request(path: str | Path) -> NewAreaRequest:
    """Read a ``new-area`` request file into a :class:`NewAreaRequest`.

    Parameters
    ----------
    path
        The request TOML; the paths inside it are relative to its folder.

    Returns
    -------
    NewAreaRequest
        The request, every path made absolute.

    Raises
    ------
    ScenarioError
        The file is missing or malformed, a key is unknown, a required one is missing, or a
        value has the wrong type; the message names the file and the key.
    """
    path = Path(path)
    raw = read_toml(path, "new-area request")
    base = path.resolve().parent
    known = set(_SCALARS) | set(_LAYERS) | set(_TABLES) | {"dems", "pop", "vintages"}
    _no_unknown(raw, known, path, "")
    for key in ("name", "boundary", "subdivisions", "schools", "dems", "pop"):
        if key not in raw:
            _fail(path, key, "is required")
    args: dict[str, Any] = {k: _typed(raw[k], t, path, k) for k, t in _SCALARS.items() if k in raw}
    for key in _LAYERS:
        if key in raw:
            args[key] = _part(LayerInput, raw[key], base, path, key)
    for key in _TABLES:
        if key in raw:
            args[key] = _part(TableInput, raw[key], base, path, key)
    dems = raw["dems"] if isinstance(raw["dems"], list) else [raw["dems"]]
    args["dems"] = tuple(base / _typed(d, str, path, "dems") for d in dems)
    args["pop"] = _pop(raw["pop"], path)
    args["vintages"] = {
        str(k): _typed(v, int, path, f"vintages.{k}")
        for k, v in _table(raw.get("vintages", {}), path, "vintages").items()
    }
    return NewAreaRequest(**args)


def _part(cls: type, raw: Any, base: Path, path: Path, key: str) -> Any:
    """A LayerInput or TableInput from its TOML table; its path relative to ``base``."""
    table = _table(raw, path, key)
    names = {f.name for f in fields(cls)}
    _no_unknown(table, names, path, key)
    if "path" not in table:
        _fail(path, f"{key}.path", "is required")
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name in ("where", "rows"):
            values[name] = {str(k): str(v) for k, v in _table(value, path, f"{key}.{name}").items()}
        else:
            values[name] = _typed(value, str, path, f"{key}.{name}")
    values["path"] = base / values["path"]
    return cls(**values)


def _pop(raw: Any, path: Path) -> Point:
    """The point of presence: name, lon_deg, lat_deg (WGS84 degrees) and source."""
    table = _table(raw, path, "pop")
    _no_unknown(table, {"name", "lon_deg", "lat_deg", "source"}, path, "pop")
    for key in ("lon_deg", "lat_deg"):
        if key not in table:
            _fail(path, f"pop.{key}", "is required (WGS84 degrees)")
    return Point(
        _typed(table.get("name", "PoP"), str, path, "pop.name"),
        _typed(table["lon_deg"], float, path, "pop.lon_deg"),
        _typed(table["lat_deg"], float, path, "pop.lat_deg"),
        _typed(table.get("source", ""), str, path, "pop.source"),
    )


def _table(raw: Any, path: Path, key: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        _fail(path, key, f"must be a table, not {raw!r}")
    return raw


def _typed(value: Any, kind: type, path: Path, key: str) -> Any:
    """``value`` as ``kind``; an int is accepted for a float, nothing else is converted."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        _fail(path, key, f"must be a {kind.__name__}, not {value!r}")
    return value


def _no_unknown(table: dict[str, Any], known: set[str], path: Path, where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        prefix = f"{where}." if where else ""
        _fail(path, prefix + unknown[0], f"is not a key here; the keys are {sorted(known)}")


def _fail(path: Path, key: str, what: str) -> None:
    msg = f"new-area request {path}: {key} {what}."
    raise ScenarioError(msg)
