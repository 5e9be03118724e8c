"""A CSV of sites for the raster commands: one row per site, read and checked at once.

The ``viewshed`` and ``pathloss`` commands take ``--sites FILE`` to compute many sites in one
process. The file has a header row and the columns ``name``, ``height_m`` and either
``x``, ``y`` (metres, in the DEM's projected CRS, or the CRS the DEM is reprojected to) or
``lon``, ``lat`` (degrees, WGS 84); optionally ``f_mhz`` (also spelt ``frequency`` or
``frequency_mhz``) for a frequency per site. Names must be unique (each names its own
output file).
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

from coverage._toml import Range
from coverage.errors import InputError

__all__ = ["SiteRow", "read_site_list"]

#: The spellings of the frequency column.
_FREQUENCY = ("f_mhz", "frequency", "frequency_mhz")
_LON = Range(-180.0, 180.0, "deg", "a longitude")
_LAT = Range(-90.0, 90.0, "deg", "a latitude")


@dataclass(frozen=True)
class SiteRow:
    """One site of a sites CSV.

    Attributes
    ----------
    name
        The site's name, as written.
    x, y
        Position: metres in a projected CRS when ``geographic`` is False, else longitude
        and latitude (degrees, WGS 84).
    geographic
        Whether ``x`` and ``y`` are longitude and latitude.
    height_m
        Antenna (or eye) height above ground (m).
    f_mhz
        The site's frequency (MHz), or None to take the command's ``--f-mhz``.
    """

    name: str
    x: float
    y: float
    geographic: bool
    height_m: float
    f_mhz: float | None = None


def _cell(row: dict[str, str], key: str, line: int, path: Path, allowed: Range | None) -> float:
    text = (row.get(key) or "").strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        msg = f"{path} line {line}: column {key} must be a finite number, got {text!r}."
        raise InputError(msg)
    if allowed is not None and value not in allowed:
        msg = f"{path} line {line}: column {key} {allowed.problem(value)}."
        raise InputError(msg)
    return value


def read_site_list(
    path: str | os.PathLike[str], *, height: Range, f_mhz: Range | None = None
) -> list[SiteRow]:
    """Read and check a sites CSV (columns in the module docstring).

    Parameters
    ----------
    path
        The CSV file (UTF-8, a header row).
    height
        The range a ``height_m`` must lie in.
    f_mhz
        The range of the optional frequency column; None: the file may not have one.

    Returns
    -------
    list of SiteRow
        The sites, in file order.

    Raises
    ------
    InputError
        A missing file, missing columns, no rows, a cell that is not a number in its range,
        or an empty or repeated name; the message names the file and the line (line 1 is
        the header).
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = [c.strip() for c in reader.fieldnames or []]
            reader.fieldnames = columns
            rows = list(reader)
    except OSError as err:
        msg = f"Sites file {p}: cannot be read ({err})."
        raise InputError(msg) from err
    geographic = {"lon", "lat"} <= set(columns)
    xy = ("lon", "lat") if geographic else ("x", "y")
    missing = [c for c in ("name", *xy, "height_m") if c not in columns]
    if missing:
        msg = (
            f"Sites file {p}: missing columns {missing} (has {columns}); it needs name, x, y "
            "(or lon, lat) and height_m, and optionally f_mhz."
        )
        raise InputError(msg)
    freq = next((c for c in _FREQUENCY if c in columns), None)
    if freq is not None and f_mhz is None:
        msg = f"Sites file {p}: column {freq} is a frequency, which this command does not take."
        raise InputError(msg)
    if not rows:
        msg = f"Sites file {p}: no sites (only a header)."
        raise InputError(msg)
    sites: list[SiteRow] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        name = (row.get("name") or "").strip()
        if not name or name in seen:
            msg = f"{p} line {line}: " + (
                f"site {name!r} is named twice." if name else "the site has no name."
            )
            raise InputError(msg)
        seen.add(name)
        freq_text = (row.get(freq) or "").strip() if freq else ""
        sites.append(
            SiteRow(
                name=name,
                x=_cell(row, xy[0], line, p, _LON if geographic else None),
                y=_cell(row, xy[1], line, p, _LAT if geographic else None),
                geographic=geographic,
                height_m=_cell(row, "height_m", line, p, height),
                f_mhz=_cell(row, freq, line, p, f_mhz) if freq and freq_text else None,
            )
        )
    return sites
