"""SPLAT!'s Longley-Rice parameter file (``.lrp``) read into ITM's settings, and ITM's input ranges.

The ``.lrp`` format (SPLAT! 1.2.1 and later, ``sample_data/sample.lrp`` of its source, as
Debian's ``splat`` package ships it): one number per line, anything after it on the line a
comment (SPLAT! writes ``; ...``), no blank lines at the top, in this order:

1. earth dielectric constant (relative permittivity);
2. earth conductivity (S/m);
3. atmospheric bending constant (surface refractivity, N-units);
4. frequency (MHz, 20 MHz-20 GHz);
5. radio climate (1-7, ITM's codes);
6. polarization (0 horizontal, 1 vertical);
7. fraction of situations (0-1);
8. fraction of time (0-1);
9. effective radiated power (W), optional.

Lines after the 9th are ignored, as SPLAT! ignores them. SPLAT! calls NTIA's
``point_to_point``, which scales the refractivity by the path's mean elevation, as
:class:`~coverage.radio.itm.ItmSettings` does by default: the value is ITM's ``n0``.

The ranges (:data:`N0_N_UNITS`, :data:`PERMITTIVITY`, :data:`CONDUCTIVITY_S_M`,
:data:`QUANTILE_PCT`) are ITM's input limits as NTIA documents them (NTIA/ITS, ITM 1.4,
https://github.com/NTIA/itm, README "Inputs": ``250 <= N_0 <= 400``, ``1 < epsilon``,
``0 < sigma``, ``0 < time, location, situation < 100``, climate 1-7, polarization 0/1), the
limits :class:`~coverage.radio.itm.ItmSettings` checks; their upper ends for the ground are
plausibility bounds (ASSUMPTION: sea water, permittivity 80 and 5 S/m in SPLAT!'s table, is
the largest natural ground).
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from coverage._toml import Range
from coverage.errors import InputError
from coverage.radio.itm import CLIMATES, ItmSettings

__all__ = [
    "CONDUCTIVITY_S_M",
    "N0_N_UNITS",
    "PERMITTIVITY",
    "QUANTILE_PCT",
    "LrpFile",
    "climate_code",
    "read_lrp",
    "unused_quantiles",
]

_NTIA = "NTIA ITM 1.4 input limits (github.com/NTIA/itm)"
#: Sea-level surface refractivity ITM takes.
N0_N_UNITS = Range(250.0, 400.0, "N-units", _NTIA)
#: Relative permittivity of the ground.
PERMITTIVITY = Range(1.0, 100.0, "", f"{_NTIA}: >= 1; at most 100, assumption (sea water is 80)")
#: Ground conductivity.
CONDUCTIVITY_S_M = Range(
    0.0, 10.0, "S/m", f"{_NTIA}: > 0; at most 10, assumption (sea water is 5)", low_open=True
)
#: A time, location or situation quantile.
QUANTILE_PCT = Range(0.0, 100.0, "%", _NTIA, low_open=True, high_open=True)
#: The frequencies ITM covers (SPLAT!'s .lrp says the same: 20 MHz to 20 GHz).
ITM_F_MHZ = Range(20.0, 20_000.0, "MHz", _NTIA)
#: Effective radiated power of SPLAT!'s optional 9th line.
_ERP_W = Range(0.0, 1e7, "W", "plausibility, assumption: up to 10 MW", low_open=True)


@dataclass(frozen=True)
class LrpFile:
    """The settings of one SPLAT! ``.lrp`` file, in this project's units.

    Attributes
    ----------
    permittivity
        Relative permittivity of the ground (line 1).
    conductivity_s_m
        Ground conductivity (S/m, line 2).
    n0
        Surface refractivity (N-units, line 3), ITM's ``n0``.
    f_mhz
        Frequency (MHz, line 4).
    climate
        Radio climate, ITM's code 1-7 (line 5).
    polarization
        "horizontal" (0) or "vertical" (1) (line 6).
    situation_pct, time_pct
        Fractions of situations and of time (lines 7 and 8), as percentages.
    erp_w
        Effective radiated power (W, line 9), or None when the file has no 9th number.
    """

    permittivity: float
    conductivity_s_m: float
    n0: float
    f_mhz: float
    climate: int
    polarization: str
    situation_pct: float
    time_pct: float
    erp_w: float | None = None

    def itm_fields(self) -> dict[str, float | int | str]:
        """The fields of :class:`~coverage.radio.itm.ItmSettings` this file sets.

        Returns
        -------
        dict
            ``permittivity``, ``conductivity_s_m``, ``n0``, ``climate``, ``polarization``,
            ``situation_pct`` and ``time_pct``.
        """
        return {
            "permittivity": self.permittivity,
            "conductivity_s_m": self.conductivity_s_m,
            "n0": self.n0,
            "climate": self.climate,
            "polarization": self.polarization,
            "situation_pct": self.situation_pct,
            "time_pct": self.time_pct,
        }


#: What each of the first eight lines holds, and the range of the value read there (a
#: fraction for lines 7 and 8: the percentage's range divided by 100).
_LINES = (
    ("earth dielectric constant (relative permittivity)", PERMITTIVITY),
    ("earth conductivity (S/m)", CONDUCTIVITY_S_M),
    ("atmospheric bending constant (N-units)", N0_N_UNITS),
    ("frequency (MHz)", ITM_F_MHZ),
    ("radio climate (1-7)", Range(1, 7, "", f"ITM's radio climates {CLIMATES}")),
    ("polarization (0 horizontal, 1 vertical)", Range(0, 1, "", "SPLAT!: 0 or 1")),
    ("fraction of situations", Range(0.0, 1.0, "", _NTIA, low_open=True, high_open=True)),
    ("fraction of time", Range(0.0, 1.0, "", _NTIA, low_open=True, high_open=True)),
)


def _number(path: Path, line_no: int, text: str, what: str, allowed: Range) -> float:
    """The number that starts line ``line_no`` (1-based), checked against ``allowed``."""
    words = text.replace(";", " ; ").split()
    word = words[0] if words else ""
    try:
        value = float(word)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        shown = text.strip() or "an empty line"
        msg = f"{path} line {line_no}: expected the {what}, a number, got {shown!r}."
        raise InputError(msg)
    if value not in allowed:
        msg = f"{path} line {line_no}: the {what} {allowed.problem(value)}."
        raise InputError(msg)
    return value


def read_lrp(path: str | os.PathLike[str]) -> LrpFile:
    """Read a SPLAT! ``.lrp`` file (format in the module docstring).

    Parameters
    ----------
    path
        The ``.lrp`` file.

    Returns
    -------
    LrpFile
        Its eight settings and, when a 9th line starts with a number, the ERP (W).

    Raises
    ------
    InputError
        A missing file, fewer than eight lines, or a line whose first word is not a number
        in its range (a climate or polarization must be a whole number); the message names
        the file, the line and what it should hold.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as err:
        msg = f"SPLAT! parameter file {p}: cannot be read ({err})."
        raise InputError(msg) from err
    if len(lines) < len(_LINES):
        msg = (
            f"{p}: {len(lines)} lines; a SPLAT! .lrp file has 8 (permittivity, conductivity, "
            "N-units, MHz, climate, polarization, fraction of situations, fraction of time)."
        )
        raise InputError(msg)
    values = [_number(p, i + 1, lines[i], what, r) for i, (what, r) in enumerate(_LINES)]
    for line_no in (5, 6):
        if values[line_no - 1] != int(values[line_no - 1]):
            msg = f"{p} line {line_no}: the {_LINES[line_no - 1][0]} must be a whole number."
            raise InputError(msg)
    erp = None
    if len(lines) > len(_LINES):
        first = lines[len(_LINES)].replace(";", " ").split()
        if first and _is_float(first[0]):
            erp = _number(p, 9, lines[8], "effective radiated power (W)", _ERP_W)
    eps, sigma, n0, f_mhz, climate, pol, situations, time = values
    return LrpFile(
        permittivity=eps,
        conductivity_s_m=sigma,
        n0=n0,
        f_mhz=f_mhz,
        climate=int(climate),
        polarization="vertical" if int(pol) == 1 else "horizontal",
        situation_pct=100.0 * situations,
        time_pct=100.0 * time,
        erp_w=erp,
    )


def _is_float(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def climate_code(text: str) -> int:
    """ITM's radio climate code from its number or its name.

    Parameters
    ----------
    text
        "1"-"7", or a name of :data:`~coverage.radio.itm.CLIMATES` in any case, with
        spaces, hyphens or underscores (``continental-temperate``).

    Returns
    -------
    int
        The code, 1-7.

    Raises
    ------
    InputError
        Neither a code nor a name; the message lists them.
    """
    key = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    names = {name: code for code, name in CLIMATES.items()}
    if key in names:
        return names[key]
    if key.isdigit() and int(key) in CLIMATES:
        return int(key)
    listed = ", ".join(f"{code} {name.replace(' ', '-')}" for code, name in CLIMATES.items())
    msg = f"unknown radio climate {text!r}; use one of {listed}"
    raise InputError(msg)


def unused_quantiles(settings: ItmSettings, given: Collection[str]) -> list[str]:
    """The quantiles among ``given`` that ITM's mode of variability ignores.

    ITM 1.2.2's variability (Hufford 1995, section 5; :mod:`coverage.radio.itm.variability`)
    takes the location deviate from the situation one in modes 0 and 1 and from the time one
    in mode 2, and the time deviate from the situation one in mode 0: only the broadcast mode
    (3) uses all three.

    Parameters
    ----------
    settings
        The settings built.
    given
        The names of the :class:`~coverage.radio.itm.ItmSettings` fields the user gave.

    Returns
    -------
    list of str
        ``"location_pct"`` and/or ``"time_pct"``, when given and ignored.
    """
    mode = int(settings.mdvar) % 10
    ignored = {"time_pct": mode == 0, "location_pct": mode != 3}
    return [field for field, no in ignored.items() if no and field in given]
