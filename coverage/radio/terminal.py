"""User terminals: a handset outdoors or indoors, or a rooftop CPE, each with its losses.

A :class:`Terminal` is the far end of an access link: its antenna height and gain, its
uplink power, the body loss of a handset held by its user and, indoors, the building-entry
loss of 3GPP TR 38.901 V17.0.0 section 7.4.3 (outdoor-to-indoor, the low-loss model of
Table 7.4.3-2 with the material losses of Table 7.4.3-1; indoor distance of the rural
macro scenario, the least of two uniform draws over 0-10 m, mean 10/3 m). Each technology
preset (:mod:`coverage.radio.technology`) lists the terminals it serves, its default first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from coverage.errors import InputError

__all__ = [
    "O2I_LOW_LOSS_SIGMA_DB",
    "Terminal",
    "building_entry_loss_db",
    "handset",
]

#: Standard deviation (dB) of the low-loss building-entry loss: TR 38.901 Table 7.4.3-2.
O2I_LOW_LOSS_SIGMA_DB = 4.4
#: Mean indoor distance (m) of the rural macro scenario: E[min(U(0,10), U(0,10))] = 10/3 m
#: (TR 38.901 Table 7.4.3-2, note on RMa).
_RMA_MEAN_INDOOR_M = 10.0 / 3.0
_KINDS = ("handset", "cpe")


def building_entry_loss_db(f_mhz: float) -> float:
    """Mean outdoor-to-indoor loss (dB) of a low-loss building, TR 38.901 section 7.4.3.

    ``PL_tw + PL_in``: the through-wall loss of a facade of 30 % standard glass and 70 %
    concrete, ``5 - 10 log10(0.3 x 10^(-L_glass/10) + 0.7 x 10^(-L_concrete/10))`` with
    ``L_glass = 2 + 0.2 f`` and ``L_concrete = 5 + 4 f`` (f in GHz), plus ``0.5 d_in`` at
    the rural mean indoor distance (10/3 m). The model is stated for 0.5-100 GHz.

    Parameters
    ----------
    f_mhz
        Carrier frequency (MHz).

    Returns
    -------
    float
        Mean loss (dB); about 12.0 dB at 780 MHz.

    Raises
    ------
    InputError
        A frequency outside 500 MHz-100 GHz.
    """
    if not 500.0 <= f_mhz <= 100_000.0:
        msg = f"building_entry_loss_db: f_mhz={f_mhz:g} is outside TR 38.901's 500-100,000 MHz."
        raise InputError(msg)
    f_ghz = f_mhz / 1000.0
    l_glass, l_concrete = 2.0 + 0.2 * f_ghz, 5.0 + 4.0 * f_ghz
    through_wall = 5.0 - 10.0 * math.log10(
        0.3 * 10.0 ** (-l_glass / 10.0) + 0.7 * 10.0 ** (-l_concrete / 10.0)
    )
    return through_wall + 0.5 * _RMA_MEAN_INDOOR_M


@dataclass(frozen=True)
class Terminal:
    """The user end of an access link.

    Attributes
    ----------
    name
        Key, e.g. ``"handset-outdoor"``.
    kind
        "handset" (held by its user) or "cpe" (customer premises equipment on a mast or roof).
    height_m
        Antenna height above ground (m).
    antenna_gain_dbi
        Antenna gain (dBi) towards the site.
    tx_power_dbm
        Conducted uplink power (dBm).
    body_loss_db
        Loss (dB) of the user's body and hand (a handset); 0 for a CPE.
    indoor
        The terminal is indoors: the building-entry loss and its spread apply.
    reference
        Where the figures come from.

    Raises
    ------
    InputError
        Another kind, a height not > 0, a negative body loss or a number not finite.
    """

    name: str
    kind: str
    height_m: float
    antenna_gain_dbi: float
    tx_power_dbm: float
    body_loss_db: float
    indoor: bool
    reference: str

    def __post_init__(self) -> None:
        """Refuse another kind, a height not > 0, a negative body loss or a non-finite number."""
        numbers = (self.height_m, self.antenna_gain_dbi, self.tx_power_dbm, self.body_loss_db)
        problems = []
        if self.kind not in _KINDS:
            problems.append(f"kind={self.kind!r} must be 'handset' or 'cpe'")
        if not all(math.isfinite(v) for v in numbers):
            problems.append("height, gain, power and body loss must be finite numbers")
        elif not self.height_m > 0 or self.body_loss_db < 0:
            problems.append("height_m must be > 0 and body_loss_db >= 0")
        if problems:
            msg = f"Terminal {self.name!r}: " + "; ".join(problems) + "."
            raise InputError(msg, problems)

    def loss_db(self, f_mhz: float) -> float:
        """Mean loss (dB) between the outdoor field and the terminal: body plus building entry.

        Parameters
        ----------
        f_mhz
            Carrier frequency (MHz).

        Returns
        -------
        float
            ``body_loss_db``, plus :func:`building_entry_loss_db` indoors (dB).
        """
        return self.body_loss_db + (building_entry_loss_db(f_mhz) if self.indoor else 0.0)

    @property
    def loss_sigma_db(self) -> float:
        """Spread (dB) of the terminal's loss: the building-entry loss's indoors, else 0.

        Returns
        -------
        float
            :data:`O2I_LOW_LOSS_SIGMA_DB` indoors, else 0 (dB).
        """
        return O2I_LOW_LOSS_SIGMA_DB if self.indoor else 0.0

    def describe(self, f_mhz: float) -> str:
        """One line for outputs: kind, height, gain, power and losses.

        Parameters
        ----------
        f_mhz
            Carrier frequency (MHz), for the building-entry loss.

        Returns
        -------
        str
        """
        where = (
            f"indoors (building entry {building_entry_loss_db(f_mhz):.1f} dB, sigma "
            f"{self.loss_sigma_db:g} dB, 3GPP TR 38.901 7.4.3 low-loss)"
            if self.indoor
            else "outdoors"
        )
        body = f", body loss {self.body_loss_db:g} dB" if self.body_loss_db else ""
        return (
            f"{self.name}: {self.kind} at {self.height_m:g} m, {self.antenna_gain_dbi:g} dBi, "
            f"{self.tx_power_dbm:g} dBm uplink{body}, {where} ({self.reference})"
        )


def handset(*, indoor: bool) -> Terminal:
    """A 3GPP power class 3 handset, outdoors or indoors.

    TS 36.101 section 6.2.2 (23 dBm), 0 dBi, at 1.5 m (TR 38.901 Table 7.2-3, the rural macro
    terminal height); body loss ASSUMPTION 3 dB, within the 3-4 dB that operators' link
    budgets keep for a data handset held in front of its user.

    Parameters
    ----------
    indoor
        The handset is indoors (``"handset-indoor"``), else outdoors (``"handset-outdoor"``).

    Returns
    -------
    Terminal
    """
    return Terminal(
        name="handset-indoor" if indoor else "handset-outdoor",
        kind="handset",
        height_m=1.5,
        antenna_gain_dbi=0.0,
        tx_power_dbm=23.0,
        body_loss_db=3.0,
        indoor=indoor,
        reference="3GPP TS 36.101 6.2.2 power class 3 (23 dBm); TR 38.901 Table 7.2-3 (1.5 m); "
        "body loss 3 dB ASSUMPTION",
    )
