"""Veredas (the sub-districts of a corregimiento): each with its own id and its own name.

Every per-vereda figure of a plan (people, households, schools covered) is grouped by the
vereda's name, so the names must be exact keys: present, and one per vereda. Source layers
break this in two ways, and :func:`vereda_table` decides each once, at load:

* a vereda without a name (null, empty or blank) takes its id as its name when the layer has
  an id field (a warning is logged); without an id field it is an error, since a row number
  means nothing to a reader of the tables;
* two veredas with one name (a name reused in two places) are each renamed ``"Name (id)"``
  (a warning is logged), so neither row absorbs the other's people.

An id that is missing or repeated is an error: the id is what the renamed veredas and the
outputs' rows are told apart by.

:func:`check_cover` checks that the veredas cover the boundary: people are placed only inside
them, so a part no vereda covers (a missing urban centre) would silently get no one.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from coverage.errors import InputError

__all__ = ["MAX_UNCOVERED_SHARE", "check_cover", "vereda_table"]

log = logging.getLogger(__name__)

#: Largest share of the boundary its veredas may leave uncovered. ASSUMPTION: the slivers
#: between two cadastral editions (1.8 % of San Cristóbal and Altavista, 0.3 % of Palmitas)
#: pass; a missing urban centre (7 % of San Cristóbal) does not.
MAX_UNCOVERED_SHARE = 0.025
#: How many rows or values a message lists before it says "...".
_SHOWN = 8


def _blank(values: pd.Series) -> pd.Series:
    """True where a field is missing, empty or only spaces."""
    return values.isna() | values.astype(object).map(lambda v: str(v).strip() == "")


def _listed(items: list[str]) -> str:
    """At most :data:`_SHOWN` items, comma-separated, then how many more."""
    more = len(items) - _SHOWN
    return ", ".join(items[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _ids(layer: gpd.GeoDataFrame, where: str, id_field: str, problems: list[str]) -> pd.Series:
    """The veredas' ids as text: ``id_field``'s values, or the row numbers without one."""
    if not id_field:
        return pd.Series([str(i) for i in range(len(layer))], index=layer.index, dtype=object)
    raw = layer[id_field]
    blank = _blank(raw).to_numpy()
    ids = pd.Series(
        [str(v).strip() for v in raw.astype(object)], index=layer.index, dtype=object
    ).where(~blank, "")
    if blank.any():
        rows = [str(i) for i, b in enumerate(blank) if b]
        problems.append(
            f"{where}: {len(rows)} feature(s) without an id in field {id_field!r} (rows "
            f'{_listed(rows)}). Fill the field, or set id_field = "" in the area file to '
            "number the veredas by row."
        )
    counts = ids[~blank].value_counts()
    repeated = [str(v) for v in counts.index[counts > 1]]
    if repeated:
        where_each = [
            f"{v!r} (rows {', '.join(str(i) for i, x in enumerate(ids) if x == v)})"
            for v in repeated
        ]
        problems.append(
            f"{where}: id field {id_field!r} repeats {_listed(where_each)}; each vereda needs its "
            'own id. Correct the ids, or set id_field = "" in the area file to number the '
            "veredas by row."
        )
    return ids


def _names(
    layer: gpd.GeoDataFrame, where: str, fields: tuple[str, str], ids: pd.Series
) -> tuple[pd.Series, list[str]]:
    """The veredas' names, nameless ones by their id, and the problems (no id to use)."""
    name_field, id_field = fields
    raw = layer[name_field]
    blank = _blank(raw).to_numpy()
    names = pd.Series([str(v).strip() for v in raw.astype(object)], index=layer.index, dtype=object)
    if not blank.any():
        return names, []
    rows = [str(i) for i, b in enumerate(blank) if b]
    if not id_field:
        problem = (
            f"{where}: {len(rows)} vereda(s) without a name in field {name_field!r} (rows "
            f"{_listed(rows)}); the per-vereda tables need a name for each. Fill the field, or "
            "set id_field in the area file so that a vereda without a name is named by its id."
        )
        return names, [problem]
    named = ids[blank].tolist()
    log.warning(
        "%s: %d vereda(s) without a name in field %r are named by their %r: %s",
        where,
        len(named),
        name_field,
        id_field,
        _listed(named),
    )
    return names.where(~blank, ids), []


def _unique(names: pd.Series, ids: pd.Series, where: str) -> tuple[pd.Series, list[str]]:
    """Names made one per vereda: each repeated name becomes ``"Name (id)"``."""
    repeated = names.duplicated(keep=False)
    if not repeated.any():
        return names, []
    renamed = names.where(~repeated, names + " (" + ids + ")")
    log.warning(
        "%s: vereda name(s) %s repeat; each such vereda is reported as 'name (id)': %s",
        where,
        _listed(sorted({repr(n) for n in names[repeated]})),
        _listed(renamed[repeated].tolist()),
    )
    clash = renamed[renamed.duplicated(keep=False)]
    if clash.empty:
        return renamed, []
    problem = (
        f"{where}: vereda names {_listed(sorted({repr(n) for n in clash}))} repeat even with "
        "their ids added; rename the veredas so that each has its own name."
    )
    return renamed, [problem]


def vereda_table(
    layer: gpd.GeoDataFrame,
    path: Path | str,
    crs: CRS | str,
    *,
    name_field: str,
    id_field: str,
) -> gpd.GeoDataFrame:
    """The veredas with an id and a name each, both unique, in the working CRS.

    Parameters
    ----------
    layer
        The veredas layer as read and checked
        (:func:`~coverage.inputs.settlements.check_vector_layer`): it has ``name_field`` and
        ``id_field``.
    path
        Its file, for the messages.
    crs
        The working CRS.
    name_field
        The field of the vereda names.
    id_field
        The field of the vereda identifiers; "" numbers the veredas by row (from 0).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``vereda_id`` (str), ``name`` (str) and the polygons, in ``crs``, one row per
        feature in the layer's order. A vereda without a name is named by its id; repeated
        names become ``"Name (id)"`` (both logged as warnings).

    Raises
    ------
    InputError
        With every problem at once: an id missing or repeated, a name missing without an id
        field, or names that repeat even with their ids added.
    """
    where = f"veredas layer {path}"
    problems: list[str] = []
    ids = _ids(layer, where, id_field, problems)
    names, missing = _names(layer, where, (name_field, id_field), ids)
    problems += missing
    if not problems:
        names, clashes = _unique(names, ids, where)
        problems += clashes
    if problems:
        msg = "Veredas are not usable:\n  - " + "\n  - ".join(problems)
        raise InputError(msg, problems)
    return gpd.GeoDataFrame(
        {"vereda_id": ids.to_numpy(), "name": names.to_numpy()},
        geometry=layer.geometry.to_numpy(),
        crs=layer.crs,
    ).to_crs(crs)


def check_cover(
    area: BaseGeometry, veredas: gpd.GeoDataFrame, path: Path | str, limit: float
) -> None:
    """Warn about, or refuse above ``limit``, the part of the area that no vereda covers.

    People are placed only inside veredas, so an uncovered part gets no one.

    Parameters
    ----------
    area
        The boundary, in the working CRS (m).
    veredas
        The vereda polygons, in the same CRS.
    path
        The veredas layer's file, for the messages.
    limit
        Largest uncovered share of the boundary (0-1) that is only a warning.

    Raises
    ------
    InputError
        More than ``limit`` of the boundary is uncovered; the message gives the km2, the
        share and the three largest uncovered pieces (km2, lon, lat).
    """
    if area.area <= 0:
        return
    gap = area.difference(veredas.union_all())
    share = gap.area / area.area
    if share <= 1e-4:
        return
    pieces = sorted(shapely.get_parts(gap), key=lambda g: -g.area)[:3]
    to_deg = Transformer.from_crs(veredas.crs, "EPSG:4326", always_xy=True)
    where = "; ".join(
        "{:.2f} km2 around lon {:.4f}, lat {:.4f}".format(
            g.area / 1e6, *to_deg.transform(g.representative_point().x, g.representative_point().y)
        )
        for g in pieces
    )
    what = (
        f"veredas layer {path}: {gap.area / 1e6:.2f} km2 ({share:.1%}) of the "
        f"boundary lie in no vereda (largest: {where}); no one is placed there"
    )
    if share > limit:
        msg = (
            f"{what}, more than the {limit:.1%} allowed. Add the missing sub-districts (urban "
            "centres and expansion areas too) to the veredas layer, or use a boundary that "
            "matches it."
        )
        raise InputError(msg, [msg])
    log.warning("settlements: %s.", what)
